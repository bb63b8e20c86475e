/**
 * Route schemas compiled at build time, handed to Fastify through its supported
 * `schemaController.compilersFactory` option (the read side of @fastify/ajv-compiler's
 * StandaloneValidator and @fastify/fast-json-stringify-compiler's StandaloneSerializer).
 *
 * `npm run build` starts the app once with the standalone compilers in write mode
 * (src/build-schemas.ts) and keeps the code of every validator (Ajv standalone) and serializer
 * (fast-json-stringify standalone) in dist/route-schemas/. A server, and the tests, read its
 * index at start and load each compiled module on the route's first use: no Ajv instance and no
 * code generation at start (bench/README.md, "Cold start").
 *
 * Guarantees:
 * - A compiled function is used only for the very schema it was made from: the key holds the
 *   route, the part or status, and a hash of the schema. A schema the file does not hold (changed
 *   since the build, a route registered only under another configuration, no build at all) is
 *   compiled at registration by Fastify's default compilers with the same options, as without
 *   this module: validation and its error codes are the same either way.
 * - A schema that does not compile fails `app.ready()`, naming the route (Fastify's own error).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ValidatorFactory } from '@fastify/ajv-compiler';
import type { SerializerFactory } from '@fastify/fast-json-stringify-compiler';
import { assetPath } from '../config/paths.ts';

export type RouteSchemaOpts = {
  schema?: unknown;
  method?: string;
  url?: string;
  httpPart?: string;
  httpStatus?: string;
  contentType?: string;
};
type Compiled = ((...args: unknown[]) => unknown) & { errors?: unknown };
type Factory = (externalSchemas: unknown, options: unknown) => (routeOpts: RouteSchemaOpts) => Compiled;

/** Where `npm run build` writes the compiled schemas, from the project root. */
export const ROUTE_SCHEMAS_DIR = 'dist/route-schemas';

/** dist/route-schemas/index.json: per schema key, the file of its compiled module. */
export interface SchemaIndex {
  readonly validators: Readonly<Record<string, string>>;
  readonly serializers: Readonly<Record<string, string>>;
}

/** The key of a route's schema: where it is used and what it says. */
export function schemaKey(o: RouteSchemaOpts): string {
  const digest = createHash('sha256')
    .update(JSON.stringify(o.schema) ?? '')
    .digest('base64url')
    .slice(0, 22);
  return [o.method, o.url, o.httpPart ?? o.httpStatus, o.contentType ?? '', digest].join(' ');
}

const load = createRequire(import.meta.url);

/** The build's index when a build wrote one, else null (every schema compiles as by default). */
export function readSchemaIndex(
  dir = assetPath(ROUTE_SCHEMAS_DIR),
): { dir: string; index: SchemaIndex } | null {
  const file = join(dir, 'index.json');
  return existsSync(file) ? { dir, index: JSON.parse(readFileSync(file, 'utf8')) as SchemaIndex } : null;
}

/**
 * Fastify's standalone compilers in write mode (src/build-schemas.ts, tests): they compile as the
 * defaults do and keep each schema's code under its key. Loaded here only when called.
 */
export function writingCompilers() {
  const validators = new Map<string, string>();
  const serializers = new Map<string, string>();
  const keep = (into: Map<string, string>) => (opts: RouteSchemaOpts, code: string) => {
    into.set(schemaKey(opts), code);
  };
  const { StandaloneValidator } = load('@fastify/ajv-compiler') as typeof import('@fastify/ajv-compiler');
  const { StandaloneSerializer } = load(
    '@fastify/fast-json-stringify-compiler',
  ) as typeof import('@fastify/fast-json-stringify-compiler');
  const compilersFactory: SchemaCompilers['compilersFactory'] = {
    buildValidator: StandaloneValidator({ readMode: false, storeFunction: keep(validators) }),
    // A response schema with anyOf or if needs Ajv in its serializer: inlined as standalone code
    // too, so that no compiled serializer loads Ajv.
    buildSerializer: (externalSchemas, options) =>
      StandaloneSerializer({ readMode: false, storeFunction: keep(serializers) })(externalSchemas, {
        ...options,
        inlineValidators: true,
      }),
  };
  return { validators, serializers, compilersFactory };
}

/**
 * Writes compiled modules (key -> code) as src/build-schemas.ts does: one file per distinct module,
 * named by its hash (a GET and its HEAD share one; an unchanged schema keeps its file across
 * builds), and the index last, by rename, so a server starting meanwhile reads a whole one.
 */
export function writeCompiledSchemas(
  dir: string,
  code: { readonly validators: Map<string, string>; readonly serializers: Map<string, string> },
): void {
  mkdirSync(dir, { recursive: true });
  const files = new Set<string>();
  const index = (entries: Map<string, string>) =>
    Object.fromEntries(
      [...entries].map(([key, text]) => {
        const name = `${createHash('sha256').update(text).digest('base64url').slice(0, 16)}.cjs`;
        if (!files.has(name)) writeFileSync(join(dir, name), text);
        files.add(name);
        return [key, name];
      }),
    );
  const written: SchemaIndex = { validators: index(code.validators), serializers: index(code.serializers) };
  writeFileSync(join(dir, 'index.json.tmp'), JSON.stringify(written));
  renameSync(join(dir, 'index.json.tmp'), join(dir, 'index.json'));
  for (const name of readdirSync(dir)) {
    if (name.endsWith('.cjs') && !files.has(name)) rmSync(join(dir, name), { force: true });
  }
}

/**
 * A compiled module, loaded on the first call. A validator keeps Ajv's contract: it answers true
 * or false and, after false, holds the errors in `errors`, which Fastify reads.
 */
function onFirstUse(file: string, validator: boolean): Compiled {
  let fn: Compiled | undefined;
  const real = () => {
    fn ??= load(file) as Compiled;
    return fn;
  };
  if (!validator) return (...args: unknown[]) => real()(...args);
  const validate: Compiled = (...args: unknown[]) => {
    const f = real();
    const ok = f(...args);
    validate.errors = f.errors;
    return ok;
  };
  return validate;
}

export interface SchemaCompilers {
  /** For Fastify's `schemaController.compilersFactory`. */
  readonly compilersFactory: { buildValidator: ValidatorFactory; buildSerializer: SerializerFactory };
  /** How many schemas came from the build and how many were compiled here. */
  counts(): { readonly prebuilt: number; readonly compiled: number };
}

export function schemaCompilers(prebuilt = readSchemaIndex()): SchemaCompilers {
  let fromBuild = 0;
  let compiledHere = 0;
  // Fastify's default factories, loaded only when a schema is missing from the build's index:
  // loading Ajv and making its instance is itself a good part of a start.
  const fallback = (kind: 'validator' | 'serializer'): Factory =>
    kind === 'validator'
      ? (load('@fastify/ajv-compiler') as { AjvCompiler: () => Factory }).AjvCompiler()
      : (
          load('@fastify/fast-json-stringify-compiler') as { SerializerSelector: () => Factory }
        ).SerializerSelector();
  const factory = (kind: 'validator' | 'serializer') => (externalSchemas: unknown, options: unknown) => {
    const table = prebuilt?.index[kind === 'validator' ? 'validators' : 'serializers'] ?? {};
    let compiler: ReturnType<Factory> | undefined;
    return (routeOpts: RouteSchemaOpts): Compiled => {
      const file = table[schemaKey(routeOpts)];
      if (file && prebuilt) {
        fromBuild++;
        return onFirstUse(join(prebuilt.dir, file), kind === 'validator');
      }
      compiledHere++;
      compiler ??= fallback(kind)(externalSchemas, options);
      return compiler(routeOpts);
    };
  };
  return {
    // Fastify's types for these factories are unions over Ajv and JTD; these give it what its own
    // standalone compilers give in read mode.
    compilersFactory: {
      buildValidator: factory('validator') as unknown as ValidatorFactory,
      buildSerializer: factory('serializer') as unknown as SerializerFactory,
    },
    counts: () => ({ prebuilt: fromBuild, compiled: compiledHere }),
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Where the app's route schemas came from (http/route-schemas.ts). */
    schemas: SchemaCompilers;
  }
}
