/**
 * Changing the sign-in address with the built-in provider. What it guarantees: the address in
 * `users` changes only when the code mailed to the new address is given back; until then the old
 * address signs in and the new one signs nobody in. The pending change is one row per user, its
 * code stored hashed together with the user and the new address (so a code cannot confirm another
 * address), single-use, valid for an hour, and void after 5 wrong guesses. Re-authentication is
 * a password check against the stored hash that issues nothing; a user without a password is
 * checked against a dummy hash, so the answer and its timing are those of a wrong password.
 */
import { AppError } from '../../../domain/errors.ts';
import { emailChangeCodeMail } from '../../../domain/messages.ts';
import type { IdentityUser, MailLinks } from '../../../ports/identity.ts';
import { codeHash, sixDigits } from './codes.ts';
import { type Ctx, MAX_CODE_ATTEMPTS, toIdentityUser } from './context.ts';
import { verifyPassword } from './password-hash.ts';

export const EMAIL_CHANGE_CODE_TTL = 3600;

interface PendingRow {
  new_email: string;
  code_hash: string;
  expires_at: number;
  attempts: number;
}

const badCode = () =>
  new AppError('INVALID_CODE', 'That code is not valid or has expired. Ask for a new one.');
const hashOf = (userId: string, email: string, code: string) => codeHash(userId, `email:${email}`, code);

export function createEmailChange(ctx: Ctx) {
  const { db, q, opts } = ctx;
  const st = {
    put: db.prepare(
      `INSERT INTO email_changes (user_id, new_email, code_hash, expires_at, attempts) VALUES (?, ?, ?, ?, 0)
       ON CONFLICT (user_id) DO UPDATE SET new_email = excluded.new_email, code_hash = excluded.code_hash,
       expires_at = excluded.expires_at, attempts = 0`,
    ),
    get: db.prepare<[string], PendingRow>(
      'SELECT new_email, code_hash, expires_at, attempts FROM email_changes WHERE user_id = ?',
    ),
    fail: db.prepare('UPDATE email_changes SET attempts = attempts + 1 WHERE user_id = ?'),
    drop: db.prepare('DELETE FROM email_changes WHERE user_id = ?'),
    // The code was just spent by deleting its row: the change happens in the same transaction.
    setEmail: db.prepare('UPDATE users SET email = ?, email_verified = 1, updated_at = ? WHERE id = ?'),
  };
  const mustGet = (userId: string) => {
    const row = q.userById.get(userId);
    if (!row) throw new AppError('NOT_FOUND', 'No such user.');
    return row;
  };

  return {
    async verifyPassword(userId: string, password: string): Promise<void> {
      const row = q.userById.get(userId);
      const ok = await verifyPassword(password, row?.password_hash || (await ctx.dummyHash()));
      if (!row || !ok || row.password_hash === '') {
        throw new AppError('INVALID_CREDENTIALS', 'The current password is not correct.');
      }
    },

    async startEmailChange(userId: string, newEmail: string, links?: MailLinks): Promise<void> {
      mustGet(userId);
      const code = sixDigits();
      st.put.run(userId, newEmail, hashOf(userId, newEmail, code), ctx.nowSec() + EMAIL_CHANGE_CODE_TTL);
      const context = links?.linkOrigin
        ? { ...opts.mailContext, appOrigin: links.linkOrigin }
        : opts.mailContext;
      await opts.mail.send(emailChangeCodeMail(context, newEmail, code));
    },

    async confirmEmailChange(
      userId: string,
      code: string,
    ): Promise<{ user: IdentityUser; previousEmail: string }> {
      const row = mustGet(userId);
      const pending = st.get.get(userId);
      if (!pending || pending.expires_at <= ctx.nowSec() || pending.attempts >= MAX_CODE_ATTEMPTS) {
        if (pending) st.drop.run(userId);
        throw badCode();
      }
      if (pending.code_hash !== hashOf(userId, pending.new_email, code)) {
        st.fail.run(userId);
        if (pending.attempts + 1 >= MAX_CODE_ATTEMPTS) st.drop.run(userId);
        throw badCode();
      }
      try {
        db.transaction(() => {
          // Two confirmations racing: only the one that deletes the row changes the address.
          if (st.drop.run(userId).changes !== 1) throw badCode();
          st.setEmail.run(pending.new_email, new Date(ctx.now()).toISOString(), userId);
        })();
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
          throw new AppError(
            'ACCOUNT_EXISTS',
            'Another account has taken that address since you asked. Your address has not changed.',
          );
        }
        throw err;
      }
      return { user: toIdentityUser(ctx, mustGet(userId)), previousEmail: row.email };
    },
  };
}
