/**
 * The SQLite store's social sign-in records: flows between start and callback, and linked provider
 * accounts. Taking a flow is one `DELETE ... RETURNING`, so of two concurrent takes only one gets
 * a row; an expired flow is deleted but not handed out. A link is an insert that does nothing
 * when the (provider, subject) key exists, so the first writer wins. Expired flows are swept every
 * PURGE_EVERY creations, so the table does not grow with abandoned sign-ins.
 */
import type { LinkedIdentity, OAuthFlowRecord, Store } from '../../../ports/store.ts';
import type { Db } from '../../shared/sqlite.ts';
import { guard } from '../../shared/sqlite-errors.ts';

interface FlowRow {
  id_hash: string;
  provider: string;
  state: string;
  nonce: string;
  code_verifier: string;
  return_to: string;
  link_user_id: string | null;
  created_at: number;
  expires_at: number;
}

interface IdentityRow {
  provider: string;
  subject: string;
  user_id: string;
  email: string | null;
  linked_at: string;
}

const PURGE_EVERY = 200;

const toFlow = (r: FlowRow): OAuthFlowRecord => ({
  idHash: r.id_hash,
  provider: r.provider,
  state: r.state,
  nonce: r.nonce,
  codeVerifier: r.code_verifier,
  returnTo: r.return_to,
  linkUserId: r.link_user_id,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
});

const toIdentity = (r: IdentityRow): LinkedIdentity => ({
  provider: r.provider,
  subject: r.subject,
  userId: r.user_id,
  email: r.email,
  linkedAt: r.linked_at,
});

export function createSqliteFederation(db: Db): Pick<Store, 'oauthFlows' | 'identities'> {
  const q = {
    flowCreate: db.prepare<[FlowRow]>(
      `INSERT INTO oauth_flows (id_hash, provider, state, nonce, code_verifier, return_to, link_user_id, created_at, expires_at)
       VALUES (@id_hash, @provider, @state, @nonce, @code_verifier, @return_to, @link_user_id, @created_at, @expires_at)`,
    ),
    flowTake: db.prepare<[string], FlowRow>('DELETE FROM oauth_flows WHERE id_hash = ? RETURNING *'),
    flowPurge: db.prepare<[number]>('DELETE FROM oauth_flows WHERE expires_at <= ?'),
    link: db.prepare<[IdentityRow]>(
      `INSERT INTO linked_identities (provider, subject, user_id, email, linked_at)
       VALUES (@provider, @subject, @user_id, @email, @linked_at) ON CONFLICT (provider, subject) DO NOTHING`,
    ),
    find: db.prepare<[string, string], IdentityRow>(
      'SELECT * FROM linked_identities WHERE provider = ? AND subject = ?',
    ),
    listForUser: db.prepare<[string], IdentityRow>(
      'SELECT * FROM linked_identities WHERE user_id = ? ORDER BY linked_at, provider, subject',
    ),
    unlink: db.prepare<[string, string, string]>(
      'DELETE FROM linked_identities WHERE provider = ? AND subject = ? AND user_id = ?',
    ),
    deleteAll: db.prepare<[string]>('DELETE FROM linked_identities WHERE user_id = ?'),
  };
  let flowWrites = 0;

  return {
    oauthFlows: {
      create: (flow) =>
        guard(() => {
          q.flowCreate.run({
            id_hash: flow.idHash,
            provider: flow.provider,
            state: flow.state,
            nonce: flow.nonce,
            code_verifier: flow.codeVerifier,
            return_to: flow.returnTo,
            link_user_id: flow.linkUserId,
            created_at: flow.createdAt,
            expires_at: flow.expiresAt,
          });
          if (++flowWrites % PURGE_EVERY === 0) q.flowPurge.run(flow.createdAt);
        }),
      take: (idHash, now) =>
        guard(() => {
          const row = q.flowTake.get(idHash);
          return row && row.expires_at > now ? toFlow(row) : null;
        }),
    },
    identities: {
      link: (identity) =>
        guard(
          () =>
            q.link.run({
              provider: identity.provider,
              subject: identity.subject,
              user_id: identity.userId,
              email: identity.email,
              linked_at: identity.linkedAt,
            }).changes === 1,
        ),
      find: (provider, subject) =>
        guard(() => {
          const row = q.find.get(provider, subject);
          return row ? toIdentity(row) : null;
        }),
      listForUser: (userId) => guard(() => q.listForUser.all(userId).map(toIdentity)),
      unlink: (userId, provider, subject) => guard(() => q.unlink.run(provider, subject, userId).changes > 0),
      deleteAllForUser: (userId) => guard(() => q.deleteAll.run(userId).changes),
    },
  };
}
