/**
 * The one table of return_to values (SECURITY 31, issue 16 item 4): what the server's redirects
 * and the web app's sign-in page must both make of each. `null`: refused (the server answers
 * INVALID_RETURN_TO; the sign-in page goes to its default, /dashboard). Run against the shared
 * function from both sides by test/unit/return-to.test.ts, and through the real sign-in page in
 * Chromium by test/e2e/browser/return-to.test.ts.
 */
export const RETURN_TO_CASES: readonly (readonly [value: string, expected: string | null])[] = [
  ['/files?sort=new', '/files?sort=new'],
  ['/security', '/security'],
  ['/a/../files', '/files'],
  ['/./billing', '/billing'],
  ['/files#latest', '/files'],
  // The three that passed the browser's old check and then hung the page (issue 16 item 4).
  ['/.//evil.test', null],
  ['/%2e//evil.test', null],
  ['/a/..//evil.test', null],
  ['/%2e%2e//evil.test', null],
  ['//evil.test', null],
  ['/\\evil.test', null],
  ['/\t/evil.test', null],
  ['/\n/evil.test', null],
  ['https://evil.test', null],
  ['https:evil.test', null],
  ['javascript:alert(1)', null],
  ['http://localhost:3000.evil.test/', null],
  ['files', null],
  ['', null],
];
