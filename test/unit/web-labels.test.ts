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

test('every audit event type reads as a sentence of its own on the admin console, naming its people', async () => {
  // Rendered outside a browser: the router reads the address when it loads, and tsx compiles the
  // web app's JSX (outside the root tsconfig) to React.createElement.
  const React = await import('react');
  Object.assign(globalThis, { React, window: { location: { pathname: '/admin/audit', search: '' } } });
  const { createElement } = React;
  const { renderToStaticMarkup } = await import('react-dom/server');
  const { EventSentence } = await import('../../web/src/audit-text.tsx');
  const people = {
    a1: { email: 'grace@example.test', name: 'Grace Hopper' },
    u1: { email: 'ada@example.test', name: null },
  };
  const sentence = (
    type: string,
    detail: Record<string, string | number | boolean | null> = {},
    outcome = 'success',
  ) =>
    renderToStaticMarkup(
      createElement(EventSentence, {
        event: {
          id: '1',
          at: '2025-01-01T00:00:00Z',
          type,
          actor_id: 'a1',
          subject_id: 'u1',
          ip: null,
          outcome: outcome as 'success',
          detail,
        },
        people,
      }),
    ).replaceAll(/<[^>]+>/g, '');
  for (const type of Object.keys(EVENT_LABELS)) {
    const text = sentence(type);
    assert.notEqual(text, `${eventLabel(type)} · ada@example.test`, `${type} has a sentence of its own`);
  }
  assert.equal(sentence('user.disabled'), 'Grace Hopper disabled the account of ada@example.test');
  // An administrator looking at their own account is not said as if it were someone else's.
  const own = renderToStaticMarkup(
    createElement(EventSentence, {
      event: {
        id: '3',
        at: '2025-01-01T00:00:00Z',
        type: 'admin.user.viewed',
        actor_id: 'a1',
        subject_id: 'a1',
        ip: null,
        outcome: 'success',
        detail: {},
      },
      people,
    }),
  ).replaceAll(/<[^>]+>/g, '');
  assert.equal(own, 'Grace Hopper looked at their own account');
  assert.equal(
    sentence('auth.signin', { email: 'ada@example.test', reason: 'INVALID_CREDENTIALS' }, 'failure'),
    'A sign-in as ada@example.test failed: wrong password',
  );
  assert.equal(
    sentence('billing.refund.created', { invoice_id: 'in_1', amount: 400, currency: 'usd' }),
    'Grace Hopper refunded $4.00 of invoice in_1 to ada@example.test',
  );
  assert.equal(
    sentence('billing.subscription.changed', { plan: 'premium', previous_plan: 'basic', status: 'active' }),
    'ada@example.test’s subscription moved from Basic to Premium',
  );
  // People link to their page; a deleted account is said as such.
  const html = renderToStaticMarkup(
    createElement(EventSentence, {
      event: {
        id: '2',
        at: '2025-01-01T00:00:00Z',
        type: 'user.deleted',
        actor_id: 'a1',
        subject_id: 'gone',
        ip: null,
        outcome: 'success',
        detail: {},
      },
      people,
    }),
  );
  assert.match(html, /<a href="\/admin\/users\/a1">Grace Hopper<\/a> deleted an account and its data/);
});
