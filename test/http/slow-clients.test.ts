/**
 * Slow clients (issue 16, item 2) against a listening server with one-second timeouts: a header
 * trickle (slowloris), a body that stalls, a body that trickles past the request timeout, an idle
 * connection and an idle keep-alive connection are all closed; an upload that keeps moving may take
 * longer than the request timeout, and one that stops is dropped after the idle timeout. Before
 * these limits a header trickle held its connection for about 87 s and a stalled body for good.
 * The bounds asserted are generous (a few seconds past a 1 s timeout): they show the connection is
 * cut by its timeout, not how fast; bench/slow-clients.ts measures that.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { type Built, build } from '../helpers/build.ts';
import { filePart } from '../helpers/uploads.ts';
import { tokenUser } from '../helpers/users.ts';

const TIMEOUTS = {
  HTTP_HEADERS_TIMEOUT_SECONDS: '1',
  HTTP_REQUEST_TIMEOUT_SECONDS: '1',
  HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: '1',
  UPLOAD_IDLE_TIMEOUT_SECONDS: '1',
};
/** Past every 1 s timeout and Node's 1 s check, with room for a loaded machine; far below 87 s. */
const BOUND_MS = 6000;

async function listening(t: Parameters<typeof build>[0]): Promise<{ b: Built; port: number }> {
  const b = await build(t, TIMEOUTS);
  await b.app.listen({ port: 0, host: '127.0.0.1' });
  const address = b.app.server.address();
  assert.ok(address && typeof address === 'object');
  return { b, port: address.port };
}

interface Conn {
  readonly socket: Socket;
  /** Everything the server sent. */
  received(): string;
  /** Resolves with the milliseconds from opening until the server closed the connection. */
  readonly closed: Promise<number>;
}

function open(port: number): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let text = '';
    const socket = connect(port, '127.0.0.1');
    const closed = new Promise<number>((done) =>
      socket.once('close', () => done(performance.now() - started)),
    );
    socket.on('data', (d) => {
      text += d.toString('latin1');
    });
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ socket, received: () => text, closed }));
    socket.once('error', reject);
  });
}

/** Writes `chunks` one every `everyMs` while the connection is open; stops when it closes. */
function trickle(conn: Conn, chunks: (string | Buffer)[], everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (conn.socket.destroyed || i >= chunks.length) return clearInterval(timer);
    conn.socket.write(chunks[i++] as string | Buffer);
  }, everyMs);
  conn.closed.then(() => clearInterval(timer));
}

const within = async (conn: Conn, what: string) => {
  const ms = await Promise.race([conn.closed, new Promise<number>((r) => setTimeout(() => r(-1), 15_000))]);
  conn.socket.destroy();
  assert.ok(
    ms >= 0 && ms < BOUND_MS,
    `${what}: closed after ${ms < 0 ? 'more than 15 s' : `${Math.round(ms)} ms`}`,
  );
};

test('a slowloris header trickle is answered 408 and closed', async (t) => {
  const { port } = await listening(t);
  const conn = await open(port);
  conn.socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\n');
  // A header line every 300 ms: never idle, never finished (it would go on for 30 s).
  trickle(
    conn,
    Array.from({ length: 100 }, (_, i) => `X-Trickle-${i}: ${'a'.repeat(20)}\r\n`),
    300,
  );
  await within(conn, 'header trickle');
  assert.match(conn.received(), /^HTTP\/1\.1 408/);
});

test('a connection that sends nothing is closed after the headers timeout', async (t) => {
  const { port } = await listening(t);
  const conn = await open(port);
  await within(conn, 'silent connection');
});

test('a stalled body (1000 bytes declared, 10 sent) is answered 408 REQUEST_TIMEOUT and closed', async (t) => {
  const { port } = await listening(t);
  const conn = await open(port);
  conn.socket.write(
    'POST /api/auth/signin HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"email":"',
  );
  await within(conn, 'stalled body');
  assert.match(conn.received(), /^HTTP\/1\.1 408/);
  assert.match(conn.received(), /"code":"REQUEST_TIMEOUT"/);
});

test('a body that keeps trickling is still cut at the request timeout (a total, not an idle, limit)', async (t) => {
  const { port } = await listening(t);
  const conn = await open(port);
  const body = JSON.stringify({ email: 'someone@example.test', password: 'x'.repeat(60) });
  conn.socket.write(
    `POST /api/auth/signin HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
  );
  // One byte every 200 ms: about 20 s for the whole body.
  trickle(conn, [...body], 200);
  await within(conn, 'trickled body');
  assert.match(conn.received(), /^HTTP\/1\.1 408/);
});

test('an idle keep-alive connection is closed after the keep-alive timeout', async (t) => {
  const { port } = await listening(t);
  const conn = await open(port);
  conn.socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n');
  await within(conn, 'idle keep-alive');
  assert.match(conn.received(), /^HTTP\/1\.1 200/);
});

/** The head and body of an upload of `size` bytes to POST /api/files. */
function uploadRequest(token: string, size: number): { head: string; body: Buffer } {
  const { payload, headers } = filePart(Buffer.alloc(size, 'a'), 'notes.txt', 'text/plain');
  const head =
    'POST /api/files HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n' +
    `Authorization: Bearer ${token}\r\nContent-Type: ${headers['content-type']}\r\n` +
    `Content-Length: ${payload.length}\r\n\r\n`;
  return { head, body: payload };
}

test('an upload that keeps moving may take longer than the request timeout', async (t) => {
  const { b, port } = await listening(t);
  const { tokens } = await tokenUser(b);
  const { head, body } = uploadRequest(tokens.access_token, 8000);
  const conn = await open(port);
  conn.socket.write(head);
  // Ten pieces 400 ms apart: about 4 s in all, never 1 s without a byte.
  const pieces = Array.from({ length: 10 }, (_, i) =>
    body.subarray((i * body.length) / 10, ((i + 1) * body.length) / 10),
  );
  trickle(conn, pieces, 400);
  const ms = await conn.closed;
  assert.match(conn.received(), /^HTTP\/1\.1 201/, conn.received().slice(0, 300));
  assert.ok(ms > 3000, `the upload took ${Math.round(ms)} ms, longer than the 1 s request timeout`);
});

test('an upload that stops sending is dropped after the idle timeout', async (t) => {
  const { b, port } = await listening(t);
  const { tokens } = await tokenUser(b);
  const { head, body } = uploadRequest(tokens.access_token, 8000);
  const conn = await open(port);
  conn.socket.write(head);
  conn.socket.write(body.subarray(0, 2000));
  await within(conn, 'stalled upload');
  assert.match(conn.received(), /^HTTP\/1\.1 408/);
  const files = await b.app.inject({
    url: '/api/files',
    headers: { authorization: `Bearer ${tokens.access_token}` },
  });
  assert.deepEqual(files.json().files, [], 'nothing was stored');
});
