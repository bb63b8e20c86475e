/**
 * Issue 7, item 1: the Dockerfile, linted since no Docker engine runs here. dockerfile-utils checks
 * the syntax; the rules below check what the issue asks of the image: multi-stage with production
 * dependencies only at the end, a pinned Node LTS slim base, a non-root user, a HEALTHCHECK on
 * /health without curl, node as PID 1 for SIGTERM, writes limited to DATA_DIR and /tmp, and a
 * .dockerignore that keeps secrets, data and node_modules out of the build context.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ValidationSeverity, validate } from 'dockerfile-utils';
import { GATEHOUSE_NODE_ARGS } from '../../bench/servers.ts';

const dockerfile = readFileSync('Dockerfile', 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  from: string;
  name: string;
  body: Instruction[];
}

/** Instructions with continuation lines joined and comments dropped, grouped by stage. */
function parse(source: string): { args: Map<string, string>; stages: Stage[] } {
  const logical = source
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: rest.replace(/\s+/g, ' ') };
    if (instruction.keyword === 'FROM') {
      const [, image = '', name = ''] = /^(\S+)(?: AS (\S+))?$/i.exec(instruction.args) ?? [];
      stages.push({ from: image, name, body: [] });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [name = '', value = ''] = instruction.args.split('=');
      args.set(name, value);
    } else {
      stages.at(-1)?.body.push(instruction);
    }
  }
  return { args, stages };
}

const { args, stages } = parse(dockerfile);
const final = stages.at(-1) as Stage;
const all = (stage: Stage, keyword: string) => stage.body.filter((i) => i.keyword === keyword);
const baseImage = (stage: Stage): string => {
  const named = stages.find((s) => s.name === stage.from);
  if (named) return baseImage(named);
  return stage.from.replace(/^\$\{(\w+)\}$/, (_, name: string) => args.get(name) ?? '');
};

test('dockerfile-utils finds no problem, even with every optional rule as an error', () => {
  const E = ValidationSeverity.ERROR;
  const problems = validate(dockerfile, {
    deprecatedMaintainer: E,
    directiveCasing: E,
    emptyContinuationLine: E,
    instructionCasing: E,
    instructionCmdMultiple: E,
    instructionEntrypointMultiple: E,
    instructionHealthcheckMultiple: E,
    instructionJSONInSingleQuotes: E,
    instructionWorkdirRelative: E,
  });
  assert.deepEqual(
    problems.map((p) => `line ${p.range.start.line + 1}: ${p.message}`),
    [],
  );
});

test('every stage starts from one Node LTS slim image pinned to an exact version', () => {
  assert.ok(stages.length >= 2, 'multi-stage');
  const bases = new Set(stages.map(baseImage));
  assert.equal(bases.size, 1, `one base image (same glibc for native modules), got ${[...bases]}`);
  const [base = ''] = bases;
  assert.match(base, /^node:(22|24)\.\d+\.\d+-bookworm-slim(@sha256:[0-9a-f]{64})?$/);
  assert.ok(!stages.some((s) => s.from.includes(':latest')));
});

test('dependencies: compiled in a build stage, production ones only in the final image', () => {
  const toolchain = stages.filter((s) =>
    all(s, 'RUN').some((r) => /apt-get install.*python3.*make.*g\+\+/.test(r.args)),
  );
  assert.ok(toolchain.length > 0, 'a stage installs python3, make and g++ for better-sqlite3');
  assert.ok(!toolchain.includes(final), 'the final image has no compiler');
  const depsStage = stages.find((s) => all(s, 'RUN').some((r) => /npm ci --omit=dev/.test(r.args)));
  assert.ok(depsStage && depsStage !== final, 'a stage runs npm ci --omit=dev');
  const copies = all(final, 'COPY').map((c) => c.args);
  assert.ok(
    copies.some((c) => c.startsWith(`--from=${depsStage.name} `) && c.includes('node_modules')),
    'the final image takes node_modules from the production-only stage',
  );
  const buildStage = stages.find((s) => all(s, 'RUN').some((r) => r.args.includes('node scripts/build.mjs')));
  assert.ok(buildStage && buildStage !== final, 'the bundle is built in a build stage');
  assert.ok(
    all(buildStage, 'RUN').some((r) => /npm ci(?! --omit)/.test(r.args)),
    'with dev dependencies',
  );
  assert.ok(
    copies.every((c) => c.startsWith('--from=')),
    `the final stage copies only from earlier stages: ${copies}`,
  );
  assert.equal(all(final, 'RUN').filter((r) => /\bnpm\b|apt-get/.test(r.args)).length, 0);
});

test('the build stage copies every esbuild entry point and the static assets', () => {
  const build = readFileSync('scripts/build.mjs', 'utf8');
  const entries = [
    ...(/entryPoints:\s*\{([\s\S]*?)\}/.exec(build)?.[1] ?? '').matchAll(/'([^']+\.ts)'/g),
  ].map((m) => m[1] ?? '');
  assert.ok(entries.length >= 1, 'entry points found in scripts/build.mjs');
  const copied = stages.flatMap((s) => all(s, 'COPY')).map((c) => c.args);
  for (const entry of entries) {
    const top = entry.split('/')[0] ?? '';
    assert.ok(
      copied.some((c) => c.split(' ').includes(entry) || c.split(' ').includes(top)),
      `${entry} is copied into the build stage`,
    );
  }
  assert.ok(
    stages.some((s) => all(s, 'RUN').some((r) => /find src -type f ! -name '\*\.ts'/.test(r.args))),
    'non-TypeScript files of src/ (pages, password list) ship with the bundle',
  );
});

test('the final image runs node dist/server.js as PID 1, unprivileged, with a health check', () => {
  const user = all(final, 'USER').at(-1)?.args ?? '';
  assert.ok(user, 'USER is set');
  assert.doesNotMatch(user, /^(root|0)(:|$)/, 'not root');
  const cmd = ['node', ...GATEHOUSE_NODE_ARGS, 'dist/server.js'];
  assert.deepEqual(
    JSON.parse(all(final, 'CMD').at(-1)?.args ?? 'null'),
    cmd,
    'the flags the benchmark measured',
  );
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } };
  assert.ok(pkg.scripts.start.endsWith(cmd.join(' ')), 'npm start runs the server as the image does');
  assert.equal(all(final, 'ENTRYPOINT').length, 0, 'no shell wrapper between Docker and node');
  assert.equal(all(final, 'STOPSIGNAL').at(-1)?.args, 'SIGTERM');
  const health = all(final, 'HEALTHCHECK').at(-1)?.args ?? '';
  assert.match(health, /CMD \["node", "-e", ".*fetch\(.*\/health/);
  assert.doesNotMatch(health, /curl|wget/);
  assert.match(health, /--timeout=\d+s/);
});

test('the app writes only to DATA_DIR (/data) and /tmp', () => {
  const env = all(final, 'ENV')
    .map((e) => e.args)
    .join(' ');
  assert.match(env, /DATA_DIR=\/data\b/);
  assert.match(env, /HOST=0\.0\.0\.0/);
  const runs = all(final, 'RUN')
    .map((r) => r.args)
    .join(' && ');
  const chowned = [...runs.matchAll(/chown\s+(?:-R\s+)?\S+\s+(\S+)/g)].map((m) => m[1]);
  assert.deepEqual(chowned, ['/data'], 'only /data belongs to the app user');
  assert.doesNotMatch(runs, /chmod\s+(-R\s+)?(777|a\+w|o\+w)/);
  assert.ok(
    all(final, 'COPY').every((c) => !c.args.includes('--chown')),
    'code stays root-owned, read-only to the app',
  );
});

const ignore = readFileSync('.dockerignore', 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

test('.dockerignore lets in only what the build needs, and never secrets, data or node_modules', () => {
  assert.equal(ignore[0], '*', 'an allow-list: everything is excluded first');
  const allowed = ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, ''));
  for (const p of allowed) {
    assert.doesNotMatch(
      p,
      /^(\.env|\.git|data|dist|node_modules|infra|coverage|\.github)/,
      `re-includes ${p}`,
    );
  }
  for (const needed of ['package.json', 'package-lock.json', 'src'])
    assert.ok(allowed.includes(needed), needed);
  const copied = stages
    .flatMap((s) => all(s, 'COPY'))
    .filter((c) => !c.args.startsWith('--from='))
    .flatMap((c) => c.args.split(' ').slice(0, -1));
  for (const src of copied) assert.ok(allowed.includes(src.replace(/\/$/, '')), `${src} is in the context`);
  const lastIndex = (rule: string) => ignore.lastIndexOf(rule);
  for (const rule of ['**/.env', '**/.env.*', '**/node_modules', '**/*.pem', '**/*.key']) {
    assert.ok(
      lastIndex(rule) > Math.max(...allowed.map((a) => ignore.indexOf(`!${a}`))),
      `${rule} comes last`,
    );
  }
});
