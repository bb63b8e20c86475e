/**
 * Phone numbers, read the way people type them: national ("07700 900123", read as a number of the
 * default country) or international ("+44 7700 900123", any separators), and stored in E.164
 * ("+447700900123"). libphonenumber-js with its small ("min") metadata does the reading on the
 * server and in the web app alike, so both judge a number the same way. A number is accepted when
 * it is possible for its country (its length), not when its range is known to be allocated: the
 * metadata ages, and refusing a real new number is worse than keeping an unallocated one.
 */
import {
  type CountryCode,
  getCountryCallingCode,
  isSupportedCountry,
  parsePhoneNumberFromString,
} from 'libphonenumber-js/min';
import { AppError } from './errors.ts';

/** Longest input read as a phone number (separators and an extension included). */
export const PHONE_INPUT_MAX = 40;

/** Two letters libphonenumber has metadata for (ISO 3166-1 alpha-2, upper case). */
export const isPhoneCountry = (country: string): boolean =>
  /^[A-Z]{2}$/.test(country) && isSupportedCountry(country);

export interface PhoneNumber {
  /** "+447700900123" */
  readonly e164: string;
  /** "44": shared by several countries (GB, GG, IM, JE), and the range does not always tell which. */
  readonly callingCode: string;
  /** "07700 900123" */
  readonly national: string;
  /** "+44 7700 900123" */
  readonly international: string;
}

/** The number `input` stands for, or null when it cannot be a phone number. */
export function parsePhone(input: string, defaultCountry: string): PhoneNumber | null {
  if (input.length > PHONE_INPUT_MAX) return null;
  const country = isPhoneCountry(defaultCountry) ? (defaultCountry as CountryCode) : undefined;
  const parsed = parsePhoneNumberFromString(input, country);
  if (!parsed?.isPossible() || parsed.ext) return null;
  return {
    e164: parsed.number,
    callingCode: parsed.countryCallingCode,
    national: parsed.formatNational(),
    international: parsed.formatInternational(),
  };
}

/** How to show a stored number to someone whose default country is `defaultCountry`. */
export function displayPhone(e164: string, defaultCountry: string): string {
  const phone = parsePhone(e164, defaultCountry);
  if (!phone) return e164;
  const home = isPhoneCountry(defaultCountry) && getCountryCallingCode(defaultCountry as CountryCode);
  return phone.callingCode === home ? phone.national : phone.international;
}

/** "United Kingdom" for "GB", in the given language (English by default). */
export function countryName(country: string, locale = 'en'): string {
  try {
    return new Intl.DisplayNames([locale], { type: 'region' }).of(country) ?? country;
  } catch {
    return country;
  }
}

/** A number of another country than `home`, to show how international numbers are written. */
export const foreignExample = (home: string) => (home === 'US' ? '+44 20 7946 0958' : '+1 415 555 0123');

/** The message to show for `input`, or null when it is a phone number (or empty). */
export function phoneProblem(input: string, defaultCountry: string, locale?: string): string | null {
  if (!input.trim() || parsePhone(input, defaultCountry)) return null;
  if (input.trim().startsWith('+'))
    return 'That is not a phone number: check the country code and the number of digits.';
  return `That is not a phone number as dialled at home (${countryName(defaultCountry, locale)}). For another country, start with + and its code, e.g. ${foreignExample(defaultCountry)}.`;
}

/** The E.164 form of `input`; INVALID_PHONE_NUMBER (400) when it is none. */
export function normalizePhone(input: string, defaultCountry: string): string {
  const phone = parsePhone(input, defaultCountry);
  if (phone) return phone.e164;
  throw new AppError('INVALID_PHONE_NUMBER', phoneProblem(input, defaultCountry) ?? 'Enter a phone number.');
}
