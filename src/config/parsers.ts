/**
 * The parsers of src/config/settings.ts: each turns one raw environment value into a typed one or
 * throws a ConfigError naming the variable, showing at most 60 characters of what it got.
 */
import { hasControlCharacters, type Mailbox, MailboxError, parseMailbox } from '../domain/mail-address.ts';
import { isPhoneCountry } from '../domain/phone.ts';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export type Parser<T> = (raw: string, name: string) => T;

const fail = (name: string, message: string, raw: string): never => {
  const shown = raw.length > 60 ? `${raw.slice(0, 60)}...` : raw;
  throw new ConfigError(name, `${message} (got ${JSON.stringify(shown)})`);
};

export const int =
  (min: number, max: number): Parser<number> =>
  (raw, name) => {
    if (!/^-?\d+$/.test(raw.trim())) return fail(name, `must be a whole number from ${min} to ${max}`, raw);
    const n = Number(raw);
    if (n < min || n > max) return fail(name, `must be a whole number from ${min} to ${max}`, raw);
    return n;
  };

export const bool: Parser<boolean> = (raw, name) => {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  return fail(name, 'must be true or false', raw);
};

export const oneOf =
  <T extends string>(...values: T[]): Parser<T> =>
  (raw, name) =>
    (values as string[]).includes(raw.trim())
      ? (raw.trim() as T)
      : fail(name, `must be one of ${values.join(', ')}`, raw);

export const text: Parser<string> = (raw) => raw;

/** A whole number, or null for an empty value ("use the default of each plan"). */
export const optionalInt =
  (min: number, max: number): Parser<number | null> =>
  (raw, name) =>
    raw.trim() === '' ? null : int(min, max)(raw, name);

export const optionalOrigin: Parser<string | null> = (raw, name) =>
  raw.trim() === '' ? null : origin(raw, name);

export const optionalOneOf =
  <T extends string>(...values: T[]): Parser<T | null> =>
  (raw, name) =>
    raw.trim() === '' ? null : oneOf(...values)(raw, name);

/** An http(s) origin: scheme, host and optional port, no path. Returned without a trailing slash. */
export const origin: Parser<string> = (raw, name) => {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return fail(name, 'must be an origin such as https://app.example.com', raw);
  }
  if (!['http:', 'https:'].includes(url.protocol) || (url.pathname !== '/' && url.pathname !== '')) {
    return fail(name, 'must be an http(s) origin with no path, such as https://app.example.com', raw);
  }
  return url.origin;
};

/** An http(s) URL that may have a path (an OpenID issuer), without a trailing slash; empty is null. */
export const optionalUrl: Parser<string | null> = (raw, name) => {
  if (raw.trim() === '') return null;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return fail(name, 'must be a URL such as https://login.example.com/realm', raw);
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.search || url.hash || url.username) {
    return fail(name, 'must be an http(s) URL without query, fragment or credentials', raw);
  }
  return url.href.replace(/\/$/, '');
};

/** Comma-separated names of letters, digits, "_" and "-", without duplicates. */
export const nameList: Parser<string[]> = (raw, name) => {
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names)
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(n)) fail(name, 'must be names of letters, digits, _ and -', n);
  if (new Set(names.map((n) => n.toLowerCase())).size !== names.length)
    fail(name, 'must not repeat a name', raw);
  return names;
};

export const originList: Parser<string[]> = (raw, name) =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => origin(s, name));

export const emailList: Parser<string[]> = (raw, name) =>
  raw
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)
    .map((s) =>
      /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(s) ? s : fail(name, 'must be a comma-separated list of emails', s),
    );

/** A mailbox ("Name <address>" or a bare address, whose name is then empty); empty is null. */
export const optionalMailbox: Parser<Mailbox | null> = (raw, name) => {
  if (raw.trim() === '') return null;
  try {
    return parseMailbox(raw);
  } catch (err) {
    return fail(name, err instanceof MailboxError ? err.message : 'is not a mailbox', raw);
  }
};

/** A host name or an IP address: letters, digits, dots, dashes, colons (IPv6), nothing else. */
export const hostName: Parser<string> = (raw, name) => {
  const v = raw.trim();
  if (v === '' || /^[A-Za-z0-9.-]{1,253}$/.test(v) || /^\[?[0-9A-Fa-f:.]{2,45}\]?$/.test(v)) return v;
  return fail(name, 'must be a host name or an IP address', raw);
};

/** Letters, digits, "_" and "-" only (AWS resource names such as an SES configuration set). */
export const awsName: Parser<string> = (raw, name) => {
  const v = raw.trim();
  return v === '' || /^[A-Za-z0-9_-]{1,64}$/.test(v)
    ? v
    : fail(name, 'must be letters, digits, _ and -', raw);
};

/** Printable text on one line (a user name sent to a server); control characters are refused. */
export const oneLine: Parser<string> = (raw, name) =>
  hasControlCharacters(raw) ? fail(name, 'must not contain control characters', raw) : raw.trim();

/** A country phone numbers can be read for: ISO 3166-1 alpha-2, any case; returned upper-case. */
export const phoneCountry: Parser<string> = (raw, name) => {
  const code = raw.trim().toUpperCase();
  return isPhoneCountry(code) ? code : fail(name, 'must be a two-letter country code such as US or GB', raw);
};
