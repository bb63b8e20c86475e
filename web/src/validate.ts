/**
 * The server's input rules, checked as the user types. They mirror src/domain (email shape,
 * password length in code points, six-digit codes); the server stays the judge, and what only it
 * can know (the common-password list, whether a code is right) comes back as a field error.
 */
export const PASSWORD_MIN = 15;
export const PASSWORD_MAX = 1024;

export function emailProblem(email: string): string | null {
  const v = email.trim();
  if (!v) return 'Enter your email address.';
  if (v.length > 320 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v))
    return 'That does not look like an email address.';
  return null;
}

export function passwordProblem(password: string, context: string[] = []): string | null {
  const length = [...password].length;
  if (length === 0) return 'Choose a password.';
  if (length < PASSWORD_MIN)
    return `Use at least ${PASSWORD_MIN} characters (${length} so far). A few unrelated words work well.`;
  if (length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters.`;
  const lower = password.toLowerCase();
  for (const word of context) {
    if (word.length >= 4 && lower.includes(word.toLowerCase()))
      return 'Leave your name and email address out of the password.';
  }
  return null;
}

export const codeProblem = (code: string): string | null =>
  /^\d{6}$/.test(code.trim()) ? null : 'Enter the 6-digit code.';
