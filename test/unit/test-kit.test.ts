/**
 * The test kit (test/helpers/kit.ts) itself: a reserved port cannot be bound by anyone until it is
 * released and stays claimed against other test processes after that; waitFor returns the first
 * truthy value or fails naming what it waited for; an absence check fails when the unwanted thing
 * came, and when the marker it waits on never does.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { claimedPorts, expectAbsentOnceSeen, reservePort, waitFor } from '../helpers/kit.ts';

const bind = (port: number) =>
  new Promise<void>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => s.close(() => resolve()));
  });

test('a reserved port is held until released, and stays claimed after', async () => {
  const reserved = await reservePort();
  await assert.rejects(bind(reserved.port), { code: 'EADDRINUSE' });
  assert.ok(claimedPorts().includes(reserved.port));
  await reserved.release();
  await bind(reserved.port);
  assert.ok(claimedPorts().includes(reserved.port), 'claimed until this process exits');
  const other = await reservePort();
  assert.notEqual(other.port, reserved.port);
  await other.release();
});

test('waitFor: the first truthy value; a timeout names what it waited for and the last error', async () => {
  let n = 0;
  assert.equal(await waitFor(() => (++n >= 3 ? n : 0), { what: 'three calls', intervalMs: 1 }), 3);
  await assert.rejects(
    waitFor(
      () => {
        throw new Error('not yet');
      },
      { what: 'the mail', timeoutMs: 50 },
    ),
    /Timed out after 50 ms waiting for the mail: not yet/,
  );
});

test('an absence check fails when the thing came, and when its marker never does', async () => {
  const seen: string[] = [];
  setTimeout(() => seen.push('unwanted', 'marker'), 30);
  await assert.rejects(
    expectAbsentOnceSeen(
      () => seen.includes('marker'),
      () => !seen.includes('unwanted'),
      { what: 'unwanted mail', marker: 'the marker mail' },
    ),
    /Expected no unwanted mail/,
  );
  await assert.rejects(
    expectAbsentOnceSeen(
      () => false,
      () => true,
      { what: 'x', marker: 'a marker that never comes', timeoutMs: 50 },
    ),
    /waiting for a marker that never comes/,
  );
});
