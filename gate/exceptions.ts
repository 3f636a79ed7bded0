/**
 * Exceptions granted through the gate rather than declared in YAML: a grant is the same object as
 * an exception of an exceptions file (docs/rules.md), posted with the action it is for, compiled
 * with the policy exactly as a file the registry names would be, and recorded in the hash-chained
 * log. `granted_by` is the key that granted it, never what a body says. A revoke is a record too;
 * the grants in force are the log's grants less its revokes, loaded when the gate starts.
 *
 * Each grant compiles as its own exceptions file, `granted/<record id>.json`, so a diagnostic names
 * the grant it is about, and a grant that no longer compiles after a reload (its rule was removed)
 * is set aside alone: an exception that cannot be compiled relaxes nothing.
 */
import { randomUUID } from 'node:crypto';
import type { GrantedFile } from '../engine/index.js';
import type { DecisionLog, ExceptionRecord } from './ports.js';

/** What POST /v1/exceptions takes: a YAML exception's members without `granted_by`, and the action. */
export interface GrantRequest {
  action: string;
  id: string;
  relaxes: string[];
  when: unknown;
  expires: string;
  owner: string;
  ticket: string;
  reason: string;
}

/** A grant in force: its record, and the exception as it compiles. */
export interface Grant {
  /** the id of the grant's record in the log */
  record: string;
  action: string;
  recordedAt: string;
  exception: Extract<ExceptionRecord['exception'], { op: 'grant' }>;
}

const GRANT_KEYS = ['action', 'id', 'relaxes', 'when', 'expires', 'owner', 'ticket', 'reason'] as const;

/** The body's shape, before compiling says whether it means anything; a message when it is not one. */
export function grantRequest(body: unknown): GrantRequest | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the body is an object: the exception, with `action`';
  const b = body as Record<string, unknown>;
  const extra = Object.keys(b).filter((k) => !(GRANT_KEYS as readonly string[]).includes(k));
  if (extra.includes('granted_by')) return '`granted_by` is the key that grants the exception, taken from the credentials; leave it out of the body';
  if (extra.length) return `unknown member${extra.length > 1 ? 's' : ''} ${extra.map((k) => `\`${k}\``).join(', ')}; an exception has ${GRANT_KEYS.map((k) => `\`${k}\``).join(', ')}`;
  const missing = GRANT_KEYS.filter((k) => b[k] === undefined);
  if (missing.length) return `missing ${missing.map((k) => `\`${k}\``).join(', ')}`;
  for (const k of ['action', 'id', 'expires', 'owner', 'ticket', 'reason'] as const) if (typeof b[k] !== 'string') return `\`${k}\` is a string`;
  const relaxes = typeof b.relaxes === 'string' ? [b.relaxes] : b.relaxes;
  if (!Array.isArray(relaxes) || relaxes.some((r) => typeof r !== 'string')) return '`relaxes` is a rule id or a list of them';
  return { action: b.action as string, id: b.id as string, relaxes: relaxes as string[], when: b.when, expires: b.expires as string, owner: b.owner as string, ticket: b.ticket as string, reason: b.reason as string };
}

/** A grant's record, before the log gives it its position. */
export function grantCommand(req: GrantRequest, caller: string, now: Date): Omit<ExceptionRecord, 'seq'> {
  const { action, ...x } = req;
  return {
    id: randomUUID(), kind: 'exception', action, recordedAt: now.toISOString(), caller, idempotencyKey: null,
    exception: { op: 'grant', id: x.id, relaxes: x.relaxes, when: x.when, expires: x.expires, owner: x.owner, granted_by: caller, ticket: x.ticket, reason: x.reason },
  };
}

export function revokeCommand(grant: Grant, caller: string, now: Date): Omit<ExceptionRecord, 'seq'> {
  return { id: randomUUID(), kind: 'exception', action: grant.action, recordedAt: now.toISOString(), caller, idempotencyKey: null, exception: { op: 'revoke', id: grant.exception.id, grant: grant.record } };
}

export const grantOf = (r: Omit<ExceptionRecord, 'seq'>): Grant | undefined =>
  r.exception.op === 'grant' ? { record: r.id, action: r.action, recordedAt: r.recordedAt, exception: r.exception } : undefined;

/** The grants in force after these records, in the order they were granted. */
export function grantsOf(records: readonly ExceptionRecord[]): Grant[] {
  const out = new Map<string, Grant>();
  for (const r of records) {
    if (r.exception.op === 'grant') out.set(r.id, grantOf(r)!);
    else out.delete(r.exception.grant);
  }
  return [...out.values()];
}

export async function loadGrants(log: Pick<DecisionLog, 'exceptionRecords'>): Promise<Grant[]> {
  return grantsOf(await log.exceptionRecords());
}

export const grantPath = (g: Grant): string => `granted/${g.record}.json`;

/** The exceptions file a grant compiles as: the exception exactly as a YAML file would hold it. */
export function grantedFile(g: Grant): GrantedFile {
  const { op, ...exception } = g.exception;
  void op;
  return { action: g.action, path: grantPath(g), text: `${JSON.stringify({ exceptions: [exception] }, null, 2)}\n` };
}
