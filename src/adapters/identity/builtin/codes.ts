/** Small crypto helpers of the built-in provider: random codes and tokens, and their stored hashes. */
import { createHash, randomBytes, randomInt } from 'node:crypto';

export const sixDigits = (): string => String(randomInt(0, 1_000_000)).padStart(6, '0');
export const opaqueToken = (): string => randomBytes(32).toString('base64url');
export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
/** Codes are hashed with the user and purpose so a code row cannot be replayed for another. */
export const codeHash = (userId: string, purpose: string, code: string): string =>
  sha256(`${userId}:${purpose}:${code}`);
export const recoveryCode = (): string => {
  const raw = randomBytes(8).toString('hex');
  return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8, 12)}-${raw.slice(12)}`;
};
