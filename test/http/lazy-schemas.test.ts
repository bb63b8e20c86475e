/**
 * Route schemas compile on first use (src/http/lazy-schemas.ts): every one of the app's still
 * compiles (what eager compilation at start proved), a broken one is named with its route, and
 * validation and serialization behave as with Fastify's own compilers (the wrappers hand Fastify
 * Ajv's `errors` and `schemaEnv`, and the serializer still drops what the schema does not list).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Fastify from 'fastify';
import { lazySchemas } from '../../src/http/lazy-schemas.ts';
import { build } from '../helpers/build.ts';

/** A bare Fastify with the lazy compilers and the app's Ajv options, and one route per case. */
async function server(schemas = lazySchemas()) {
  const app = Fastify({
    exposeHeadRoutes: false,
    schemaController: { compilersFactory: schemas.compilersFactory },
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
          properties: { name: { $ref: 'Name#' } },
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
  return { app, schemas };
}

describe('lazy route schemas', () => {
  test('every schema of the app compiles; none is compiled before it is needed', async (t) => {
    const b = await build(t);
    await b.app.ready();
    const before = b.app.schemas.pending();
    assert.ok(before > 100, `the app's route schemas wait to be compiled (${before})`);
    const health = await b.app.inject({ method: 'GET', url: '/health' });
    assert.equal(health.statusCode, 200);
    assert.equal(b.app.schemas.pending(), before - 1, 'answering /health compiled its serializer only');
    b.app.schemas.compileAll();
    assert.equal(b.app.schemas.pending(), 0);
  });

  test('validation answers as before: errors, $ref to shared schemas, defaults on the root', async (t) => {
    const { app, schemas } = await server();
    t.after(() => app.close());
    assert.equal(schemas.pending(), 3);
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
    assert.equal(schemas.pending(), 0);
  });

  test('a schema that does not compile is named with its route, at compileAll and in the idle pass', async (t) => {
    const schemas = lazySchemas();
    const app = Fastify({ schemaController: { compilersFactory: schemas.compilersFactory } });
    t.after(() => app.close());
    app.post(
      '/broken',
      { schema: { body: { type: 'object', properties: { a: { type: 'nonsense' } } } } },
      async () => ({}),
    );
    app.get('/fine', { schema: { response: { 200: { type: 'object' } } } }, async () => ({}));
    await app.ready();
    assert.throws(() => schemas.compileAll(), /validator of POST \/broken body does not compile/);
    const failures: string[] = [];
    await schemas.compileInIdle((err) => failures.push(err.message));
    assert.equal(failures.length, 1);
    assert.match(failures[0] ?? '', /POST \/broken/);
    assert.equal(schemas.pending(), 0, 'the idle pass leaves nothing queued');
    // The route itself still refuses to run on an unchecked body.
    const res = await app.inject({ method: 'POST', url: '/broken', payload: { a: 1 } });
    assert.equal(res.statusCode, 500);
  });
});
