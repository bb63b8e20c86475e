/** /api/files: upload, list with a cursor, download, delete; the limits; an upload cut off half-way. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { describe, test } from 'node:test';
import { type Built, build, waitFor } from '../helpers/build.ts';
import { download, filePart, multipart } from '../helpers/uploads.ts';
import { bearer, cookieUser, tokenUser } from '../helpers/users.ts';

async function upload(b: Built, headers: Record<string, string>, data: Buffer | string, filename = 'a.bin') {
  const body = filePart(data, filename);
  return b.app.inject({
    method: 'POST',
    url: '/api/files',
    headers: { ...headers, ...body.headers },
    payload: body.payload,
  });
}

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
);

describe('files', () => {
  test('upload records size, sniffed type and SHA-256; download returns the same bytes as an attachment', async (t) => {
    const b = await build(t);
    const u = await tokenUser(b);
    const h = bearer(u.tokens.access_token);
    const data = randomBytes(300_000);
    const res = await upload(b, h, data, 'Quarterly report.zip');
    assert.equal(res.statusCode, 201, res.body);
    const { file } = res.json();
    assert.match(file.id, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(file.name, 'Quarterly report.zip');
    assert.equal(file.size, data.length);
    assert.equal(file.sha256, createHash('sha256').update(data).digest('hex'));
    assert.equal(file.content_type, 'application/octet-stream', 'random bytes are nothing in particular');

    const { app, final } = await download(b, `/api/files/${file.id}`, h);
    assert.equal(final.status, 200);
    assert.ok(final.body.equals(data), 'byte for byte');
    assert.equal(final.headers['content-length'], String(data.length));
    assert.equal(
      final.headers['content-disposition'],
      `attachment; filename="Quarterly report.zip"; filename*=UTF-8''Quarterly%20report.zip`,
    );
    assert.equal(app.headers['x-content-type-options'], 'nosniff');
    assert.equal(app.headers['cache-control'], 'no-store');
  });

  test('the type comes from the bytes, not the name or the declared type', async (t) => {
    const b = await build(t);
    const h = bearer((await tokenUser(b)).tokens.access_token);
    const pdf = (await upload(b, h, PDF, 'notes.txt')).json().file;
    assert.equal(pdf.content_type, 'application/pdf');
    const text = (await upload(b, h, 'plain words, été\n', 'picture.png')).json().file;
    assert.equal(text.content_type, 'text/plain');
    const { final } = await download(b, `/api/files/${text.id}`, h);
    assert.equal(final.headers['content-type'], 'text/plain; charset=utf-8');
    const empty = (await upload(b, h, Buffer.alloc(0), 'empty')).json().file;
    assert.equal(empty.size, 0);
  });

  test('list pages newest first with a cursor and reports usage against the quota', async (t) => {
    const b = await build(t, { FILE_QUOTA_BYTES: '100000' });
    const h = bearer((await tokenUser(b)).tokens.access_token);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await upload(b, h, Buffer.alloc(1000, i), `f${i}`)).json().file.id);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const res = await b.app.inject({
        method: 'GET',
        url: `/api/files?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        headers: h,
      });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.ok(body.files.length <= 2);
      assert.deepEqual(body.usage, { bytes: 5000, count: 5, quota_bytes: 100000, file_max_bytes: 100000000 });
      seen.push(...body.files.map((f: { id: string }) => f.id));
      cursor = body.next_cursor;
      if (!cursor) break;
    }
    assert.deepEqual(new Set(seen), new Set(ids));
    assert.equal(seen.length, 5, 'no duplicates');
    const bad = await b.app.inject({ method: 'GET', url: '/api/files?cursor=bm90LWEtY3Vyc29y', headers: h });
    assert.equal(bad.statusCode, 400);
    const big = await b.app.inject({ method: 'GET', url: '/api/files?limit=1000', headers: h });
    assert.equal(big.statusCode, 400);
  });

  test('delete removes the record and the bytes; a second delete is 404', async (t) => {
    const b = await build(t);
    const u = await cookieUser(b);
    const h = { cookie: u.cookie, origin: 'http://localhost:3000' };
    const { file } = (await upload(b, h, 'bytes to delete')).json();
    const del = await b.app.inject({ method: 'DELETE', url: `/api/files/${file.id}`, headers: h });
    assert.equal(del.statusCode, 204);
    assert.equal(
      (await b.app.inject({ method: 'GET', url: `/api/files/${file.id}`, headers: h })).statusCode,
      404,
    );
    assert.equal(
      (await b.app.inject({ method: 'DELETE', url: `/api/files/${file.id}`, headers: h })).statusCode,
      404,
    );
    assert.deepEqual((await b.deps.blobs.list(`files/${u.userId}/`)).keys, []);
  });

  test('a multipart body with extra fields still stores just the file', async (t) => {
    const b = await build(t);
    const h = bearer((await tokenUser(b)).tokens.access_token);
    const body = multipart({ field: 'note', data: 'hello' }, { filename: 'x.txt', data: 'the file' });
    const res = await b.app.inject({
      method: 'POST',
      url: '/api/files',
      headers: { ...h, ...body.headers },
      payload: body.payload,
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().file.size, 8);
  });

  test('an upload cut off half-way leaves neither a record nor a blob', async (t) => {
    const b = await build(t);
    const u = await tokenUser(b);
    await b.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = b.app.server.address() as AddressInfo;
    const boundary = 'cutoffboundary';
    const head =
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n';
    const socket = connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write(
      `POST /api/files HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${u.tokens.access_token}\r\n` +
        `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: 50000000\r\n\r\n${head}`,
    );
    for (let i = 0; i < 20; i++) socket.write(randomBytes(64 * 1024));
    // Wait until the server has started writing the upload, then vanish mid-body. The local folder
    // shows a temp file; S3 shows nothing until an upload completes, so there a pause stands in.
    const tmp = `${b.dataDir}/blobs/.tmp`;
    const { readdirSync } = await import('node:fs');
    const local = b.deps.config.blobs === 'local';
    if (local) await waitFor(() => readdirSync(tmp).length > 0, 'the upload to start');
    else await new Promise((r) => setTimeout(r, 300));
    socket.destroy();
    if (local) await waitFor(() => readdirSync(tmp).length === 0, 'the partial upload to be removed');
    else await new Promise((r) => setTimeout(r, 300));
    const me = (
      await b.app.inject({ method: 'GET', url: '/api/files', headers: bearer(u.tokens.access_token) })
    ).json();
    assert.deepEqual(me.files, []);
    assert.equal(me.usage.bytes, 0);
    const userId = (
      await b.app.inject({ method: 'GET', url: '/api/users/me', headers: bearer(u.tokens.access_token) })
    ).json().user_id;
    assert.deepEqual((await b.deps.blobs.list(`files/${userId}/`)).keys, []);
    // The server is still healthy afterwards.
    const ok = await new Promise<number>((resolve, reject) => {
      request({ port, host: '127.0.0.1', path: '/health' }, (res) => resolve(res.statusCode ?? 0))
        .on('error', reject)
        .end();
    });
    assert.equal(ok, 200);
  });
});
