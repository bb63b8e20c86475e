/**
 * Route schemas compiled when first needed instead of while the server starts.
 *
 * Fastify compiles every route's request validators (Ajv) and response serializers
 * (fast-json-stringify) before it listens: for Gatehouse's routes that was the largest part of
 * the start-up work of its own (bench/README.md, "Cold start"). These compilers are Fastify's
 * defaults, unchanged, behind a wrapper that compiles on the first call; `compileInIdle` then
 * compiles the rest one schema per event-loop turn once the server listens, so the first requests
 * are answered first and a running server soon holds them all compiled, as before.
 *
 * A schema that does not compile is a programming error that eager compilation caught at start:
 * `compileAll` throws it, with the route, and a test calls it on the whole app, so a bad schema
 * still fails CI. In a running server it is logged and the route answers 500 until fixed.
 */
import { createRequire } from 'node:module';
import type { ValidatorFactory } from '@fastify/ajv-compiler';
import type { SerializerFactory } from '@fastify/fast-json-stringify-compiler';

const load = createRequire(import.meta.url);

type Compiled = ((this: unknown, ...args: unknown[]) => unknown) & { errors?: unknown; schemaEnv?: unknown };
type RouteSchema = { schema: unknown; method?: string; url?: string; httpPart?: string; httpStatus?: string };
type Factory = (externalSchemas: unknown, options: unknown) => (routeSchema: RouteSchema) => Compiled;

export interface LazySchemas {
  /** For Fastify's `schemaController.compilersFactory`. */
  readonly compilersFactory: { buildValidator: ValidatorFactory; buildSerializer: SerializerFactory };
  /** Schemas not compiled yet. */
  pending(): number;
  /** Compiles every pending schema now; throws the first failure, naming its route. */
  compileAll(): void;
  /** Compiles the pending schemas one per event-loop turn; failures go to `onError`. */
  compileInIdle(onError: (err: Error) => void): Promise<void>;
}

/** `make()`, called once, on the first call. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
}

export function lazySchemas(): LazySchemas {
  const queue = new Set<() => void>();

  const lazy = (kind: string, routeSchema: RouteSchema, compile: () => Compiled, validator: boolean) => {
    let fn: Compiled | undefined;
    const force = (): Compiled => {
      if (fn) return fn;
      try {
        fn = compile();
      } catch (err) {
        const where = `${routeSchema.method ?? ''} ${routeSchema.url ?? ''} ${routeSchema.httpPart ?? routeSchema.httpStatus ?? ''}`;
        throw new Error(`The ${kind} of ${where.trim()} does not compile: ${(err as Error).message}`, {
          cause: err,
        });
      }
      queue.delete(force);
      return fn;
    };
    queue.add(force);
    let wrapper: Compiled;
    if (validator) {
      // Fastify reads `errors` after a failed call and `schemaEnv` (Ajv's) before each call.
      wrapper = function (this: unknown, ...args: unknown[]) {
        const f = force();
        const result = f.apply(this, args);
        wrapper.errors = f.errors;
        return result;
      } as Compiled;
      Object.defineProperty(wrapper, 'schemaEnv', { get: () => force().schemaEnv });
    } else {
      wrapper = function (this: unknown, ...args: unknown[]) {
        return force().apply(this, args);
      } as Compiled;
    }
    return wrapper;
  };

  // Fastify's default factories, required on the first compilation: loading Ajv and making its
  // instance (formats, the shared schemas) is itself a good part of the start-up cost.
  const ajv = once(() => (load('@fastify/ajv-compiler') as { AjvCompiler: () => Factory }).AjvCompiler());
  const fjs = once(() =>
    (
      load('@fastify/fast-json-stringify-compiler') as { SerializerSelector: () => Factory }
    ).SerializerSelector(),
  );
  const lazyFactory =
    (kind: 'validator' | 'serializer', base: () => Factory) =>
    (externalSchemas: unknown, options: unknown) => {
      const compiler = once(() => base()(externalSchemas, options));
      return (routeSchema: RouteSchema) =>
        lazy(kind, routeSchema, () => compiler()(routeSchema), kind === 'validator');
    };

  return {
    // Fastify's types for these factories are unions over Ajv and JTD; these pass whatever it
    // gives straight to its own default factories.
    compilersFactory: {
      buildValidator: lazyFactory('validator', ajv) as unknown as ValidatorFactory,
      buildSerializer: lazyFactory('serializer', fjs) as unknown as SerializerFactory,
    },
    pending: () => queue.size,
    compileAll() {
      for (const force of [...queue]) force();
    },
    async compileInIdle(onError) {
      for (const force of [...queue]) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        try {
          force();
        } catch (err) {
          onError(err as Error);
          queue.delete(force);
        }
      }
    },
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's route schemas, compiled lazily (http/lazy-schemas.ts). */
    schemas: LazySchemas;
  }
}
