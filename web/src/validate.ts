/// <reference path="./env.d.ts" />
/**
 * Field checks as the user types, with the server's own code: email addresses through
 * src/domain/email.ts, passwords through src/domain/password-policy.ts (with the server's length
 * window and service name from GET /api/client-config, and the same common-password list, loaded
 * on demand), and every other field against the patterns the request schemas are built from
 * (src/http/schemas/formats.ts); phone numbers go through src/domain/phone.ts on the profile page
 * (its library stays out of the other pages). Each function answers the message to show, or null
 * when the value passes. The server stays the judge: whatever it still refuses comes back next to
 * the field.
 */
import { useEffect, useState } from 'react';
import { normalizeEmail } from '../../src/domain/email.ts';
import { isAppError } from '../../src/domain/errors.ts';
import {
  type CommonPasswords,
  checkPassword,
  codePointLength,
  type PasswordPolicy,
  parseCommonPasswords,
} from '../../src/domain/password-policy.ts';
import { COUNTRY, GROUP, NO_CONTROL, SIX_DIGITS } from '../../src/http/schemas/formats.ts';
import { useClientConfig } from './config.ts';

/** The message of the domain's refusal, or null when the check passes. */
const refusal = (check: () => unknown): string | null => {
  try {
    check();
    return null;
  } catch (err) {
    if (isAppError(err)) return err.message;
    throw err;
  }
};

export function emailProblem(email: string): string | null {
  if (!email.trim()) return 'Enter your email address.';
  return refusal(() => normalizeEmail(email));
}

// The list the server checks against (the same file), fetched when a new-password field appears.
let common: CommonPasswords | null = null;
let commonLoading: Promise<CommonPasswords> | null = null;
const loadCommon = () => {
  commonLoading ??= import('../../src/domain/data/common-passwords.txt?raw').then((list) => {
    common = parseCommonPasswords(list.default);
    return common;
  });
  return commonLoading;
};

export interface PasswordRules {
  readonly policy: PasswordPolicy;
  readonly serviceName: string;
}

/** The server's password rules, or null while they load (the server then judges alone). */
export function usePasswordRules(): PasswordRules | null {
  const config = useClientConfig();
  const [list, setList] = useState(common);
  useEffect(() => {
    if (list) return;
    let live = true;
    void loadCommon().then(
      (set) => live && setList(set),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [list]);
  if (!config) return null;
  return {
    serviceName: config.service_name,
    policy: {
      minLength: config.password.min_length,
      maxLength: config.password.max_length,
      common: list ?? { has: () => false },
    },
  };
}

export function passwordProblem(
  password: string,
  rules: PasswordRules | null,
  about: { email?: string; name?: string | null } = {},
): string | null {
  if (password.length === 0) return 'Choose a password.';
  if (!rules) return null;
  const email = emailProblem(about.email ?? '') ? undefined : normalizeEmail(about.email ?? '');
  return refusal(() =>
    checkPassword(password, rules.policy, {
      serviceName: rules.serviceName,
      ...(email ? { email } : {}),
      name: about.name?.trim() || null,
    }),
  );
}

/** Progress while the user types a new password: how far from the minimum length. */
export function passwordProgress(password: string, rules: PasswordRules | null): string | null {
  if (!rules) return null;
  const length = codePointLength(password.normalize('NFC'), rules.policy.maxLength);
  const min = rules.policy.minLength;
  return length >= min ? null : `${length} so far, ${min - length} to go`;
}

export const codeProblem = (code: string): string | null =>
  new RegExp(SIX_DIGITS).test(code.trim()) ? null : 'Enter the 6-digit code.';

export const countryProblem = (country: string): string | null =>
  !country || new RegExp(COUNTRY).test(country) ? null : 'Use the two-letter country code, e.g. GB or US.';

/** Free text within the schema's length (in code points, as JSON Schema counts) and without control characters. */
export function textProblem(value: string, max: number): string | null {
  if (!new RegExp(NO_CONTROL, 'u').test(value)) return 'Remove the control characters (tabs, line breaks).';
  const length = [...value.trim()].length;
  return length > max ? `Use at most ${max} characters (${length} now).` : null;
}

export const groupProblem = (group: string): string | null =>
  new RegExp(GROUP).test(group)
    ? null
    : 'Lower-case letters, digits, - and _, starting with a letter; at most 32 characters.';
