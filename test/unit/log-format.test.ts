/**
 * LOG_FORMAT: the same events, redacted alike, as JSON lines for a log shipper or as readable lines
 * for a person at a terminal; and a readable line that nothing a request supplies can forge.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { prettyLine } from '../../src/http/plugins/pretty-log.ts';
import { createLogger, REDACT_PATHS } from '../../src/http/plugins/request-log.ts';

/** A logger of `format` writing into a string, as if to a terminal (`tty`) or a pipe. */
function capture(format: 'pretty' | 'json' | null, tty = false) {
  let text = '';
  const out = {
    isTTY: tty,
    write(s: string) {
      text += s;
      return true;
    },
  };
  return { log: createLogger('info', format, out), text: () => text };
}

// One value for every redacted path, each unique, so a leak names itself.
const SECRETS = {
  req: {
    headers: {
      authorization: 'Bearer secret-authorization-header',
      cookie: 'gh_session=secret-cookie-header',
      'stripe-signature': 't=1,v1=secret-stripe-signature',
      'x-csrf-token': 'secret-csrf-token',
    },
  },
  res: { headers: { 'set-cookie': 'gh_session=secret-set-cookie' } },
  body: {
    password: 'secret-password-field',
    new_password: 'secret-new-password',
    current_password: 'secret-current-password',
    code: 'secret-code-field',
    confirmation_code: 'secret-confirmation-code',
    access_token: 'secret-access-token',
    refresh_token: 'secret-refresh-token',
    id_token: 'secret-id-token',
    session: 'secret-mfa-session',
    secret: 'secret-totp-secret',
    authorization: 'secret-nested-authorization',
    cookie: 'secret-nested-cookie',
  },
};

describe('LOG_FORMAT', () => {
  test('unset: readable lines on a terminal, JSON lines otherwise', () => {
    const tty = capture(null, true);
    tty.log.info('hello');
    const plain = tty
      .text()
      .replaceAll('\u001b[2m', '')
      .replaceAll('\u001b[32m', '')
      .replaceAll('\u001b[0m', '');
    assert.match(plain, /^\d\d:\d\d:\d\d\.\d{3} INFO {2}hello\n$/);
    const pipe = capture(null, false);
    pipe.log.info('hello');
    assert.equal(JSON.parse(pipe.text()).msg, 'hello');
    // Chosen explicitly, either one wins over the guess.
    const forced = capture('json', true);
    forced.log.info('hello');
    assert.equal(JSON.parse(forced.text()).msg, 'hello');
    const pretty = capture('pretty', false);
    pretty.log.info('hello');
    assert.match(pretty.text(), /^\d\d:\d\d:\d\d\.\d{3} INFO {2}hello\n$/);
  });

  test('redaction is identical in both formats: every redacted path, and nothing of its value', () => {
    const json = capture('json');
    const pretty = capture('pretty');
    for (const c of [json, pretty]) c.log.info(SECRETS, 'an object carrying every redacted field');
    const values = JSON.stringify(SECRETS).match(/secret-[a-z-]+/g) ?? [];
    assert.equal(values.length, 17);
    for (const [name, c] of [
      ['json', json],
      ['pretty', pretty],
    ] as const) {
      for (const v of values) assert.ok(!c.text().includes(v), `${name} leaks ${v}`);
      assert.equal(c.text().match(/\[redacted\]/g)?.length, values.length, `${name}: each value redacted`);
    }
    assert.equal(REDACT_PATHS.length, 17, 'the test covers every path (add a value when adding a path)');
  });

  test('a request line reads as method, path, status and time', () => {
    const line = prettyLine(
      JSON.stringify({
        level: 30,
        time: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
        pid: 1,
        hostname: 'h',
        msg: 'request',
        method: 'POST',
        path: '/api/auth/signup',
        status: 202,
        ms: 41.3,
        ip: '127.0.0.1',
        reqId: 'abc-1',
      }),
    );
    assert.match(
      line,
      /^\d\d:\d\d:\d\d\.006 INFO {2}POST \/api\/auth\/signup 202 41\.3 ms {2}ip=127\.0\.0\.1 reqId=abc-1\n$/,
    );
  });

  test('nothing in a value or a message can start a line of its own or drive the terminal', () => {
    const forged = '10:00:00.000 ERROR forged';
    const line = prettyLine(
      JSON.stringify({
        level: 40,
        time: 0,
        msg: `refused\r\n${forged}`,
        ua: `ua\r\n${forged}`,
        name: 'Eve \u001b[31mred\u001b[0m',
        note: `first\n${forged}`,
        err: { type: 'Error', message: 'boom', stack: `Error: boom\n${forged}\n    at x` },
      }),
    );
    assert.ok(!line.includes('\r'), 'no raw CR');
    assert.ok(!line.includes('\u001b'), 'no raw escape character');
    const lines = line.split('\n').filter(Boolean);
    assert.match(lines[0] ?? '', /^\d\d:\d\d:\d\d\.000 WARN {2}refused\\u000d$/);
    for (const l of lines.slice(1)) assert.match(l, /^ {4}/, `continuation lines are indented: ${l}`);
    assert.ok(!lines.some((l) => l.startsWith(forged)), line);
    assert.match(line, /\n {4}ua:\n {6}ua\\u000d\n {6}10:00:00\.000 ERROR forged\n/);
    assert.match(line, /name="Eve \\u001b\[31mred\\u001b\[0m"/);
  });

  test('colours only on a terminal, and never with NO_COLOR', async () => {
    const { prettyDestination } = await import('../../src/http/plugins/pretty-log.ts');
    const written: string[] = [];
    const sink = (isTTY: boolean) => ({ isTTY, write: (s: string) => written.push(s) });
    const json = JSON.stringify({ level: 50, time: 0, msg: 'x' });
    prettyDestination(sink(true), {}).write(json);
    prettyDestination(sink(true), { NO_COLOR: '1' }).write(json);
    prettyDestination(sink(false), {}).write(json);
    assert.ok(written[0]?.includes('\u001b[31mERROR\u001b[0m'), written[0]);
    assert.ok(!written[1]?.includes('\u001b') && !written[2]?.includes('\u001b'));
  });
});
