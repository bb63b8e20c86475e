/**
 * Every audit event type the services record has words in the web app (web/src/labels.ts), so
 * the activity list and the admin's audit filter never show a raw code for a known event. The
 * types are read from the services' source: a new event without a label fails here.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { deviceLabel, EVENT_LABELS, eventLabel } from '../../web/src/labels.ts';

const EVENT = /['`]((?:auth|user|file|profile|billing|session|admin)\.[a-z_]+(?:\.[a-z_]+)*)['`]/g;

test('every audit event type recorded in src/services has a label in the web app', () => {
  const types = new Set<string>();
  for (const name of readdirSync('src/services')) {
    for (const m of readFileSync(join('src/services', name), 'utf8').matchAll(EVENT))
      types.add(m[1] as string);
  }
  assert.ok(types.size >= 25, `found the event types (${types.size})`);
  const missing = [...types].filter((t) => !EVENT_LABELS[t]);
  assert.deepEqual(missing, [], 'label these in web/src/labels.ts');
  assert.equal(
    eventLabel('something.new_here'),
    'Something new here',
    'an unknown type still reads as words',
  );
});

test('devices read as browser and system', () => {
  const cases: [string, string][] = [
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
      'Safari on macOS',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36 Edg/124.0',
      'Edge on Windows',
    ],
    ['Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0', 'Firefox on Android'],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0 Mobile/15E148 Safari/604.1',
      'Chrome on iOS',
    ],
    ['curl/8.5.0', 'curl'],
    ['', 'Unknown device'],
  ];
  for (const [ua, label] of cases) assert.equal(deviceLabel(ua), label, ua);
});
