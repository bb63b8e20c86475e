/**
 * Recording audit events. On its own (`audit`), a failure to record is logged but never fails the
 * user's request: the action has already happened, and an audit outage must not turn into an auth
 * outage. An event handed to a store write with its change (`auditEvent`) is part of that write
 * instead: both are recorded or neither is, so no change goes unrecorded.
 */
import { randomUUID } from 'node:crypto';
import type { AuditEvent, Store } from '../ports/store.ts';
import type { Deps } from './deps.ts';

/** What auditing needs: the audit trail, the clock and the log (a Deps is one). */
export type AuditDeps = Pick<Deps, 'clock' | 'log'> & { readonly store: Pick<Store, 'audit'> };

export type AuditInput = Pick<AuditEvent, 'type'> & Partial<Omit<AuditEvent, 'id' | 'at' | 'type'>>;

/** The event as stored, for a store write that records it in the same atomic step as its change. */
export function auditEvent(deps: Pick<Deps, 'clock'>, input: AuditInput): AuditEvent {
  return {
    id: randomUUID(),
    at: new Date(deps.clock()).toISOString(),
    type: input.type,
    // Unsaid, the actor is the subject (a user acting on their account); an explicit null stays null.
    actorId: input.actorId !== undefined ? input.actorId : (input.subjectId ?? null),
    subjectId: input.subjectId ?? null,
    ip: input.ip ?? null,
    outcome: input.outcome ?? 'success',
    detail: input.detail ?? {},
  };
}

/** Runs `work`; if it fails, records `input` as a failure and rethrows. */
export async function auditFailureOf<T>(
  deps: AuditDeps,
  input: AuditInput,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (err) {
    await audit(deps, { ...input, outcome: 'failure' });
    throw err;
  }
}

/** Needs only the store, the clock and the log, so mail delivery (made before Deps) audits too. */
export async function audit(deps: AuditDeps, input: AuditInput): Promise<void> {
  const event = auditEvent(deps, input);
  try {
    await deps.store.audit.append(event);
  } catch (err) {
    deps.log.error({ err, auditType: event.type }, 'could not record audit event');
  }
}
