/**
 * Route schemas come compiled from the build (src/http/route-schemas.ts, src/build-schemas.ts):
 * every one of the app's is in the build's index, validation and serialization answer as with
 * Fastify's own compilers (Ajv's errors, $ref to shared schemas, defaults, the serializer dropping
 * what its schema does not list), a schema changed since the build is compiled at start, and a
 * schema that does not compile still stops the app naming its route.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { assetPath } from '../../src/config/paths.ts';
import {
  readSchemaIndex,
  type SchemaCompilers,
  schemaCompilers,
  writeCompiledSchemas,
  writingCompilers,
} from '../../src/http/route-schemas.ts';
import { build } from '../helpers/build.ts';

/** A bare Fastify with the given compilers and the app's Ajv options, and one route per case. */
async function server(compilersFactory: SchemaCompilers['compilersFactory'], nameMin = 2) {
  const app = Fastify({
    exposeHeadRoutes: false,
    schemaController: { compilersFactory } as FastifyServerOptions['schemaController'],
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: false },
    },
  });
  app.addSchema({ $id: 'Name', type: 'string', minLength: 2 });
  app.post(
    '/greet',
    {
      schema: {
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: { name: { $ref: 'Name#' }, title: { type: 'string', minLength: nameMin } },
        },
        response: {
          200: { type: 'object', properties: { hello: { type: 'string' } }, additionalProperties: false },
        },
      },
    },
    async (request) => ({ hello: (request.body as { name: string }).name, secret: 'not listed' }),
  );
  app.get(
    '/page',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { size: { type: 'string', default: '20' } },
          additionalProperties: false,
        },
      },
    },
    async (request) => request.query,
  );
  await app.ready();
  return app;
}

/** The test app's schemas compiled as the build does, into a temporary folder. */
async function built(t: import('node:test').TestContext) {
  // Inside the project, as dist/ is: the compiled code requires Ajv's and fast-json-stringify's
  // runtime parts from node_modules.
  const dir = mkdtempSync(join(assetPath('dist'), 'test-route-schemas-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const writing = writingCompilers();
  await (await server(writing.compilersFactory)).close();
  writeCompiledSchemas(dir, writing);
  return readSchemaIndex(dir);
}

describe('route schemas compiled at build time', () => {
  test("every schema of the app comes from the build's index; none is compiled at start", async (t) => {
    const b = await build(t);
    await b.app.ready();
    const { prebuilt, compiled } = b.app.schemas.counts();
    assert.equal(compiled, 0, 'no schema missing from dist/route-schemas (run npm run build)');
    assert.ok(prebuilt > 100, `the app's route schemas came from the build (${prebuilt})`);
    const health = await b.app.inject({ method: 'GET', url: '/health' });
    assert.equal(health.statusCode, 200);
    assert.deepEqual(health.json(), { status: 'ok' });
  });

  test('validation answers as before: errors, $ref to shared schemas, defaults on the root', async (t) => {
    const compilers = schemaCompilers(await built(t));
    const app = await server(compilers.compilersFactory);
    t.after(() => app.close());
    assert.deepEqual(compilers.counts(), { prebuilt: 3, compiled: 0 });
    const bad = await app.inject({ method: 'POST', url: '/greet', payload: { name: 'x' } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().message, /body\/name must NOT have fewer than 2 characters/);
    const extra = await app.inject({ method: 'POST', url: '/greet', payload: { name: 'Ada', admin: true } });
    assert.equal(extra.statusCode, 400);
    assert.match(extra.json().message, /must NOT have additional properties/);
    const good = await app.inject({ method: 'POST', url: '/greet', payload: { name: 'Ada' } });
    assert.equal(good.statusCode, 200);
    assert.deepEqual(good.json(), { hello: 'Ada' }, 'the serializer drops what its schema does not list');
    const page = await app.inject({ method: 'GET', url: '/page' });
    assert.deepEqual(page.json(), { size: '20' }, 'useDefaults fills the querystring');
  });

  test('a schema changed since the build is compiled at start, and its new rule holds', async (t) => {
    const compilers = schemaCompilers(await built(t));
    const app = await server(compilers.compilersFactory, 5);
    t.after(() => app.close());
    assert.deepEqual(compilers.counts(), { prebuilt: 2, compiled: 1 }, 'only the changed body schema');
    const res = await app.inject({ method: 'POST', url: '/greet', payload: { name: 'Ada', title: 'Dr' } });
    assert.equal(res.statusCode, 400);
    assert.match(res.json().message, /body\/title must NOT have fewer than 5 characters/);
  });

  test('a schema that does not compile stops the app, naming its route', async (t) => {
    const app = Fastify({
      schemaController: { compilersFactory: schemaCompilers(null).compilersFactory } as never,
    });
    t.after(() => app.close());
    app.post(
      '/broken',
      { schema: { body: { type: 'object', properties: { a: { type: 'nonsense' } } } } },
      async () => ({}),
    );
    await assert.rejects(async () => {
      await app.ready();
    }, /\/broken/);
  });
});
