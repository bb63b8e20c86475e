/**
 * Mixed load for the fault scenarios: one worker per user uploading, downloading, listing,
 * deleting, reading the profile and refreshing, each answer checked against what the contract
 * allows (2xx, the limits' 413, and 503 with Retry-After after the retries). What the clients were
 * told goes into the ledger the audit checks. A connection that breaks (a killed server) makes the
 * write in flight uncertain, and the worker waits for the server to come back.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Ledger } from './audit.ts';
import {
  type Answer,
  callRetrying,
  downloadFile,
  sha256,
  signIn,
  type Tally,
  type User,
  uploadForm,
} from './client.ts';

export interface LoadOptions {
  readonly origin: () => string;
  readonly users: readonly User[];
  readonly tally: Tally;
  readonly ledger: Ledger;
  /** Ends the load when it returns true. */
  readonly until: () => boolean;
  /** Largest upload; sizes are random up to it. */
  readonly maxFileBytes?: number;
  /** One upload in twenty is this large instead (past S3's 5 MiB part size: a multipart upload). */
  readonly bigFileBytes?: number;
  /** Statuses besides 2xx and 503 that count as answers the contract allows (e.g. 507 on a full disk). */
  readonly alsoAllowed?: readonly number[];
  /** Weights of the actions; uploads and deletes by default dominate. */
  readonly weights?: Partial<Record<Action, number>>;
}

export type Action = 'upload' | 'delete' | 'download' | 'list' | 'me' | 'refresh';
export const DEFAULT_WEIGHTS: Record<Action, number> = {
  upload: 35,
  delete: 20,
  download: 15,
  list: 15,
  me: 10,
  refresh: 5,
};

/** A problem is an answer the contract does not allow; the scenario asserts there are none. */
export interface LoadResult {
  readonly problems: string[];
  readonly connectionErrors: number;
}

const pick = <T>(xs: readonly T[]): T | undefined => xs[Math.floor(Math.random() * xs.length)];

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const problems: string[] = [];
  let connectionErrors = 0;
  const weights = { ...DEFAULT_WEIGHTS, ...opts.weights };
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  const maxBytes = opts.maxFileBytes ?? 256 * 1024;
  const allowed = new Set([503, ...(opts.alsoAllowed ?? [])]);

  const choose = (): Action => {
    let r = Math.random() * total;
    for (const [a, w] of Object.entries(weights) as [Action, number][]) {
      r -= w;
      if (r < 0) return a;
    }
    return 'list';
  };

  /** A thrown error: a broken connection (the server was killed) or a broken contract. */
  const lost = async (err: unknown) => {
    if (err instanceof assert.AssertionError) {
      problems.push(err.message);
      return;
    }
    connectionErrors++;
    await new Promise((r) => setTimeout(r, 100));
  };

  const judge = (what: string, a: Answer, ok: number[]) => {
    if (ok.includes(a.status) || allowed.has(a.status)) return;
    problems.push(`${what}: ${a.status} ${JSON.stringify(a.body).slice(0, 200)}`);
  };

  async function step(user: User): Promise<void> {
    const origin = opts.origin();
    const action = choose();
    const live = opts.ledger.live(user.userId).filter((id) => !opts.ledger.uncertain.has(id));
    const token = user.token;
    if (action === 'upload') {
      const big = opts.bigFileBytes !== undefined && Math.random() < 0.05;
      const size = big ? (opts.bigFileBytes ?? 0) : 1 + Math.floor(Math.random() * maxBytes);
      const bytes = randomBytes(size);
      try {
        const a = await callRetrying(opts.tally, origin, 'POST', '/api/files', {
          token,
          form: uploadForm(bytes),
        });
        judge('upload', a, [201, 413]);
        if (a.status === 201) {
          const id = (a.body as { file: { id: string } }).file.id;
          opts.ledger.uploaded.set(id, { userId: user.userId, sha256: sha256(bytes), size });
        }
      } catch (err) {
        await lost(err); // The answer was lost: the file may exist or not; either is fine.
      }
    } else if (action === 'delete') {
      const id = pick(live);
      if (!id) return;
      try {
        const a = await callRetrying(opts.tally, origin, 'DELETE', `/api/files/${id}`, { token });
        if (a.status === 204 || (a.status === 404 && a.retried)) opts.ledger.deleted.add(id);
        else if (a.status === 503) opts.ledger.uncertain.add(id);
        else judge('delete', a, [204]);
      } catch (err) {
        opts.ledger.uncertain.add(id);
        await lost(err);
      }
    } else if (action === 'download') {
      const id = pick(live);
      if (!id) return;
      try {
        const a = await downloadFile(opts.tally, origin, user, id);
        judge('download', a, [200]);
        if (a.status === 200 && sha256(a.body as Buffer) !== opts.ledger.uploaded.get(id)?.sha256) {
          problems.push(`download ${id}: the bytes differ from the uploaded ones`);
        }
      } catch (err) {
        await lost(err);
      }
    } else {
      const path = action === 'list' ? '/api/files' : action === 'me' ? '/api/users/me' : '/api/auth/refresh';
      try {
        const a =
          action === 'refresh'
            ? await callRetrying(opts.tally, origin, 'POST', path, { json: { refresh_token: user.refresh } })
            : await callRetrying(opts.tally, origin, 'GET', path, { token });
        if (a.status === 401) {
          // A refresh whose answer was lost spent the token (rotation): sign in again, as an app does.
          const fresh = await signIn(opts.tally, origin, user.email);
          user.token = fresh.access_token;
          user.refresh = fresh.refresh_token;
          return;
        }
        judge(action, a, [200]);
        if (action === 'refresh' && a.status === 200) {
          const t = a.body as { access_token: string; refresh_token?: string };
          user.token = t.access_token;
          if (t.refresh_token) user.refresh = t.refresh_token;
        }
      } catch (err) {
        await lost(err);
      }
    }
  }

  await Promise.all(
    opts.users.map(async (user) => {
      while (!opts.until()) {
        try {
          await step(user);
        } catch (err) {
          problems.push(`${user.email}: ${String(err)}`);
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }),
  );
  return { problems, connectionErrors };
}
