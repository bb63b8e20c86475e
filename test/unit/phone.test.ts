/**
 * Phone numbers as people type them (src/domain/phone.ts, shared by the server and the web app):
 * national numbers of the default country, international ones with any separators, stored in E.164.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../src/domain/errors.ts';
import { displayPhone, normalizePhone, parsePhone, phoneProblem } from '../../src/domain/phone.ts';

test('national numbers are read for the default country, international ones for their own', () => {
  const cases: [string, string, string | null][] = [
    ['07700 900123', 'GB', '+447700900123'],
    ['020 7946 0958', 'GB', '+442079460958'],
    ['(415) 555-0123', 'US', '+14155550123'],
    ['415.555.0123', 'US', '+14155550123'],
    ['+44 20 7946 0958', 'US', '+442079460958'],
    ['+33 6 12 34 56 78', 'GB', '+33612345678'],
    ['07700 900123', 'US', null],
    ['+1234567890123456', 'US', null],
    ['+0 123', 'US', null],
    ['12', 'GB', null],
    ['not a number', 'GB', null],
    ['+44 20 7946 0958 ext. 12', 'GB', null],
  ];
  for (const [typed, country, e164] of cases) {
    assert.equal(parsePhone(typed, country)?.e164 ?? null, e164, `${typed} in ${country}`);
  }
});

test('a stored number reads nationally at home and internationally abroad', () => {
  assert.equal(displayPhone('+447700900123', 'GB'), '07700 900123');
  assert.equal(displayPhone('+447700900123', 'US'), '+44 7700 900123');
  assert.equal(displayPhone('+14155550123', 'US'), '(415) 555-0123');
});

test('refusals say what to do; the server refuses with INVALID_PHONE_NUMBER and the same words', () => {
  assert.equal(phoneProblem('', 'GB'), null);
  assert.equal(phoneProblem('07700 900123', 'GB'), null);
  assert.equal(
    phoneProblem('0770', 'GB'),
    'That is not a phone number as dialled at home (United Kingdom). For another country, start with + and its code, e.g. +1 415 555 0123.',
  );
  assert.match(phoneProblem('+44 1', 'GB') ?? '', /check the country code/);
  assert.throws(
    () => normalizePhone('0770', 'GB'),
    (err: unknown) =>
      err instanceof AppError &&
      err.code === 'INVALID_PHONE_NUMBER' &&
      err.message === phoneProblem('0770', 'GB'),
  );
  assert.equal(normalizePhone('07700 900123', 'GB'), '+447700900123');
});
