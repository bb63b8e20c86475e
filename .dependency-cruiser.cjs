/**
 * The import directions of ARCHITECTURE.md, enforced:
 *   http -> services -> domain + ports;  adapters -> ports + domain;
 *   only composition.ts and src/composition/ (and scripts) know which adapters exist.
 */
module.exports = {
  forbidden: [
    {
      name: 'only-composition-imports-adapters',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(composition\\.ts|composition/|adapters/)' },
      to: { path: '^src/adapters/' },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      from: { path: '^src/domain/' },
      // libphonenumber-js: pure functions over its metadata, shared with the web app (domain/phone.ts).
      to: { pathNot: '^(src/domain/|node_modules/libphonenumber-js/)', dependencyTypesNot: ['core'] },
    },
    {
      name: 'domain-no-io-core-modules',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { dependencyTypes: ['core'], path: '^(fs|node:fs|net|node:net|http|node:http|child_process|node:child_process)' },
    },
    {
      name: 'ports-are-interfaces',
      severity: 'error',
      from: { path: '^src/ports/' },
      to: { pathNot: '^src/(ports|domain)/', dependencyTypesNot: ['core', 'type-only'] },
    },
    {
      name: 'services-do-not-know-http',
      severity: 'error',
      from: { path: '^src/services/' },
      to: { path: '^src/(http|adapters)/' },
    },
    {
      name: 'adapters-do-not-know-http-or-services',
      severity: 'error',
      from: { path: '^src/adapters/' },
      to: { path: '^src/(http|services|composition|app)' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
