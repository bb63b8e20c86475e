/**
 * Where a browser may be sent back to after a round trip (social sign-in, the sign-in page): a
 * path on our own origin, never another origin or scheme (SECURITY 31). One function for the
 * server's redirects and the web app's sign-in page (web/src/return-to.ts), as with the password
 * rules, so the two cannot disagree.
 *
 * Refused: anything not starting with exactly one "/" ("//evil.test" is scheme-relative), any
 * backslash (browsers read "/\evil.test" as "//evil.test"), control characters and whitespace
 * (browsers drop tabs and newlines inside URLs, so "/\t/evil.test" becomes "//evil.test"), and
 * whatever still resolves to another origin. The answer is re-serialized from the parsed URL, so
 * what is sent is exactly what was checked.
 */

export const MAX_RETURN_TO_LENGTH = 2048;

/** The same-origin path (with its query, without a fragment) to return to, or null. */
export function safeReturnPath(value: string | null | undefined, appOrigin: string): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_RETURN_TO_LENGTH) return null;
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  if (/[\u0000-\u0020\u007f-\u009f]/.test(value)) return null;
  let url: URL;
  try {
    url = new URL(value, `${appOrigin}/`);
  } catch {
    return null;
  }
  if (url.origin !== new URL(appOrigin).origin) return null;
  const path = `${url.pathname}${url.search}`;
  // The serialized form must still be a plain path (a path that normalizes to "//x" is refused).
  return path.startsWith('/') && !path.startsWith('//') ? path : null;
}
