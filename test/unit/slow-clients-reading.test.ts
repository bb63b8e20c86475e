/**
 * The upload idle timeout counts only the client's silence (issue 16, item 2): time the server
 * itself spends not reading (storage applying backpressure, a slow first write) must never cut an
 * upload that the client has sent, or is ready to send. A bare Fastify app with the slow-clients
 * plugin and a 1 s idle timeout, whose route waits 2.5 s before it reads its body.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import Fastify from 'fastify';
import { slowClients, uploadMayTakeItsTime } from '../../src/http/plugins/slow-clients.ts';

/** Every limit at 1 s, so a delay of 2.5 s on the server's side would be cut if it counted. */
const LIMITS = {
  headersTimeoutMs: 1000,
  requestTimeoutMs: 1000,
  keepAliveTimeoutMs: 1000,
  uploadIdleTimeoutMs: 1000,
};

async function serverThatReadsLate(t: { after(fn: () => Promise<void>): void }): Promise<number> {
  const app = Fastify();
  await app.register(slowClients, LIMITS);
  // The body is left to the route, as an upload's is.
  app.addContentTypeParser('application/octet-stream', (_req, _payload, done) => done(null));
  app.post('/late', async (req) => {
    uploadMayTakeItsTime(req.raw);
    await new Promise((r) => setTimeout(r, 2500));
    let bytes = 0;
    for await (const chunk of req.raw) bytes += (chunk as Buffer).length;
    return { bytes };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.after(() => app.close());
  const address = app.server.address();
  assert.ok(address && typeof address === 'object');
  return address.port;
}

const post = (port: number, body: Buffer) =>
  new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/late',
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', 'content-length': body.length },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });

for (const [what, size] of [
  ['a small body, all sent before the server reads it', 100],
  ['a large body, held back by the server not reading', 8 * 1024 * 1024],
] as const) {
  test(`the upload idle timeout spares ${what}`, async (t) => {
    const port = await serverThatReadsLate(t);
    const answer = await post(port, Buffer.alloc(size, 'a'));
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(JSON.parse(answer.text), { bytes: size });
  });
}

/**
 * The body timeout, likewise: a JSON body that arrived in time but that the server only reads after
 * a slow onRequest hook (the shared rate-limit counter waiting on a DynamoDB call that hangs, as
 * test/faults/aws-faults.test.ts met) is not the client's delay and is never answered 408.
 */
for (const [what, size] of [
  ['a small JSON body, all sent', 100],
  ['a JSON body larger than the request buffer', 300 * 1024],
] as const) {
  test(`the body timeout spares ${what}, held up by a slow hook before the parser`, async (t) => {
    const app = Fastify();
    await app.register(slowClients, LIMITS);
    app.post('/hooked', {
      onRequest: async () => {
        await new Promise((r) => setTimeout(r, 2500));
      },
      handler: async (req) => ({ bytes: (req.body as { text: string }).text.length }),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    t.after(() => app.close());
    const address = app.server.address();
    assert.ok(address && typeof address === 'object');
    const res = await fetch(`http://127.0.0.1:${address.port}/hooked`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'a'.repeat(size) }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(await res.json(), { bytes: size });
  });
}
