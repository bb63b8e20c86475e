/**
 * Page cursors of the store adapters: an opaque base64url (time, id) position in a newest-first
 * listing. Being a position, a cursor stays valid while records are added; anything that does not
 * decode to one is refused with BAD_REQUEST.
 */
import { AppError } from '../../domain/errors.ts';

export interface Position {
  readonly at: string;
  readonly id: string;
}

export const encodeCursor = (p: Position): string =>
  Buffer.from(JSON.stringify([p.at, p.id])).toString('base64url');

export function decodeCursor(cursor: string): Position {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2) {
      const [at, id] = value as unknown[];
      if (typeof at === 'string' && typeof id === 'string') return { at, id };
    }
  } catch {
    // Falls through to the same answer as a well-formed but meaningless cursor.
  }
  throw new AppError('BAD_REQUEST', 'That page cursor is not valid.');
}
