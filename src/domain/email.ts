/**
 * Email addresses as account keys. Normalisation is NFKC (so a fullwidth "＠" becomes "@"), trim and
 * lower-case; after that only a conservative ASCII shape is accepted. Quoted local parts, comments,
 * CR/LF, spaces, more than one "@" and non-ASCII (homoglyph) characters are rejected, so an address
 * can never be read one way here and another way by a mail server.
 */
import { AppError } from './errors.ts';

const LOCAL = /^[a-z0-9](?:[a-z0-9._+-]{0,62}[a-z0-9_+-])?$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function normalizeEmail(input: string): string {
  const v = input.normalize('NFKC').trim().toLowerCase();
  if (v.length > 254 || !/^[\x21-\x7e]+$/.test(v)) throw invalid();
  const parts = v.split('@');
  if (parts.length !== 2) throw invalid();
  const [local = '', domain = ''] = parts;
  if (!LOCAL.test(local) || local.includes('..')) throw invalid();
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) throw invalid();
  const tld = labels[labels.length - 1] ?? '';
  if (!/^[a-z][a-z0-9-]*$/.test(tld)) throw invalid();
  return v;
}

const invalid = () => new AppError('INVALID_EMAIL', 'Enter a valid email address, like name@example.com.');
