/**
 * The web app checks fields as the user types (web/src/validate.ts) with the server's own rules.
 * Here each check meets the running server on the same inputs: a value the browser accepts the
 * server accepts, and a value the browser refuses the server refuses with the same message, so the
 * two can never drift apart (a changed setting, schema or policy shows up here first).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parseCommonPasswords } from '../../src/domain/password-policy.ts';
import { parsePhone, phoneProblem } from '../../src/domain/phone.ts';
import {
  countryProblem,
  emailProblem,
  type PasswordRules,
  passwordProblem,
  textProblem,
} from '../../web/src/validate.ts';
import { build } from '../helpers/build.ts';
import { tokenUser, uniqueEmail } from '../helpers/users.ts';

const json = { 'content-type': 'application/json' };

/** The rules as the browser builds them: from GET /api/client-config and the same list file. */
async function rulesOf(b: Awaited<ReturnType<typeof build>>): Promise<PasswordRules> {
  const config = (await b.app.inject({ url: '/api/client-config' })).json();
  const common = parseCommonPasswords(readFileSync('src/domain/data/common-passwords.txt', 'utf8'));
  return {
    serviceName: config.service_name,
    policy: { minLength: config.password.min_length, maxLength: config.password.max_length, common },
  };
}

describe('the web app checks fields with the server rules', () => {
  test('passwords: the browser refuses exactly what sign-up refuses, with the same message', async (t) => {
    const b = await build(t, { PASSWORD_MIN_LENGTH: '16', SERVICE_NAME: 'Lighthouse' });
    const rules = await rulesOf(b);
    const name = 'Augusta Byron';
    const candidates = [
      'correct horse battery staple violin',
      'fifteen chars!!', // 15: under this server's 16
      'sixteen chars!!!',
      'passwordpassword', // common
      'Password1234567!', // common once trailing digits and symbols go
      'abcabcabcabcabcabc', // a repeated unit
      'lighthouse lighthouse', // the service's name
      'augusta byron 2024!', // the user's name
      'ada.lovelace1815 extra words', // the email's local part with enough else
      'é'.repeat(16), // 16 code points
      'x'.repeat(1025), // over the maximum
    ];
    const refused = new Set<string>();
    for (const password of candidates) {
      const email = uniqueEmail('ada.lovelace1815');
      const res = await b.app.inject({
        method: 'POST',
        url: '/api/auth/signup',
        headers: json,
        payload: { email, password, name },
      });
      const browser = passwordProblem(password, rules, { email, name });
      if (res.statusCode === 202)
        assert.equal(browser, null, `the browser refuses what the server takes: ${password}`);
      else {
        assert.match(res.json().error.code, /^PASSWORD_/, password);
        assert.equal(browser, res.json().error.message, `same refusal for ${password}`);
        refused.add(res.json().error.code);
      }
    }
    // Every kind of refusal was met, not only the easy ones.
    assert.deepEqual([...refused].sort(), [
      'PASSWORD_TOO_COMMON',
      'PASSWORD_TOO_LONG',
      'PASSWORD_TOO_PREDICTABLE',
      'PASSWORD_TOO_SHORT',
    ]);
  });

  test('email addresses: the same shape is refused with the same message', async (t) => {
    const b = await build(t);
    let refused = 0;
    for (const email of [
      'ada@example.test',
      'ADA@Example.Test',
      ' ada@example.test ',
      'ada@example',
      'ada@@example.test',
      'ada@exa mple.test',
      '"ada"@example.test',
      'ada@example.tést',
      'a..b@example.test',
    ]) {
      const res = await b.app.inject({
        method: 'POST',
        url: '/api/auth/forgot-password',
        headers: json,
        payload: { email },
      });
      const browser = emailProblem(email);
      if (res.statusCode === 202) assert.equal(browser, null, email);
      else {
        assert.equal(res.json().error.code, 'INVALID_EMAIL', email);
        assert.equal(browser, res.json().error.message, email);
        refused++;
      }
    }
    assert.equal(refused, 6);
  });

  test('profile fields: what the browser lets through, PUT /api/users/me accepts, and the rest it refuses', async (t) => {
    const b = await build(t, { PHONE_DEFAULT_COUNTRY: 'gb' });
    const { tokens } = await tokenUser(b);
    const put = (payload: unknown) =>
      b.app.inject({
        method: 'PUT',
        url: '/api/users/me',
        headers: { ...json, authorization: `Bearer ${tokens.access_token}` },
        payload: JSON.stringify(payload),
      });
    const country = (await b.app.inject({ url: '/api/client-config' })).json().phone_default_country;
    assert.equal(country, 'GB', 'the setting reaches the browser, upper-cased');
    // Phone numbers: the browser reads them with the same library and the same default country.
    const phones: [string, string | null][] = [
      ['+44 20 7946 0958', '+442079460958'],
      ['(+1) 415-555-0123', '+14155550123'],
      ['07700 900123', '+447700900123'],
      ['020 7946 0958', '+442079460958'],
      ['+0 123', null],
      ['+1234567890123456', null],
      ['020 79', null],
    ];
    for (const [typed, stored] of phones) {
      assert.equal(parsePhone(typed, country)?.e164 ?? null, stored, `the browser reads ${typed}`);
      const res = await put({ phone_number: typed });
      if (stored) {
        assert.equal(res.statusCode, 200, `${typed}: ${res.body}`);
        assert.equal(res.json().user.phone_number, stored, `${typed} is stored in E.164`);
      } else {
        assert.equal(res.json().error?.code, 'INVALID_PHONE_NUMBER', `${typed}: ${res.body}`);
        assert.equal(res.json().error.message, phoneProblem(typed, country), 'the same words');
      }
    }
    const cases: [string, string | null, unknown][] = [
      ['GB', countryProblem('GB'), { address: { country: 'GB' } }],
      ['GBR', countryProblem('GBR'), { address: { country: 'GBR' } }],
      ['a 100-character name', textProblem('n'.repeat(100), 100), { name: 'n'.repeat(100) }],
      ['a 101-character name', textProblem('n'.repeat(101), 100), { name: 'n'.repeat(101) }],
      ['a name with a tab', textProblem('Ada\tKing', 100), { name: 'Ada\tKing' }],
      ['a 100-code-point name', textProblem('é'.repeat(100), 100), { name: 'é'.repeat(100) }],
    ];
    assert.equal(cases.filter(([, browser]) => browser !== null).length, 3, 'refusals are tested too');
    for (const [what, browser, payload] of cases) {
      const res = await put(payload);
      if (browser === null) assert.equal(res.statusCode, 200, `${what}: ${res.body}`);
      else assert.equal(res.json().error?.code, 'VALIDATION_FAILED', `${what} is refused by the server too`);
    }
  });
});
