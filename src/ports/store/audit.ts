/**
 * The store's audit trail: append-only security events (sign-ins, changes, refusals), listed
 * newest first. Appending is atomic; an event is never changed or removed once appended, except
 * by retention the adapter applies. Events carry ids and outcomes, never codes, tokens or secrets.
 */
import type { Page } from './page.ts';

export interface AuditEvent {
  readonly id: string;
  readonly at: string;
  readonly type: string;
  readonly actorId: string | null;
  readonly subjectId: string | null;
  readonly ip: string | null;
  readonly outcome: 'success' | 'failure';
  readonly detail: Readonly<Record<string, string | number | boolean | null>>;
}

export interface AuditQuery {
  readonly type?: string;
  readonly subjectId?: string;
  readonly actorId?: string;
  readonly limit: number;
  readonly cursor?: string;
}

export interface AuditStore {
  append(event: AuditEvent): Promise<void>;
  list(query: AuditQuery): Promise<Page<AuditEvent>>;
}
