/**
 * A decision record's text: what the gate writes, and the DecisionRecord readers get back.
 *
 * The gate writes it lean, since the record is most of what a commit writes:
 * - `request` is the request body as the gate received it: the proposal and context as sent,
 *   neither serialized again nor twice;
 * - the decision's `shadow` is left out when it is the live result (no shadow rule counted);
 * - the trace is packed into positional arrays (engine/trace/compact.ts);
 * - a shadow policy's outcome (gate/shadow.ts) is a member `policyShadow` of the decision only
 *   when it differs from the live one; it is never part of an answer's members.
 * `readRecord` puts back what was left out, so a decision reads as it was decided: GET
 * /v1/decisions/:id, replays and exports answer with the same JSON as when records were written
 * whole, and records written whole read the same way. The chain hashes the stored text.
 */
import { canonicalJson, type Decision } from '../../engine/index.js';
import { compactTrace, expandTrace, type CompactTrace } from '../../engine/internal.js';
import type { Trace } from '../../engine/internal.js';
import { sha256 } from '../../engine/internal.js';
import type { PolicyShadow } from '../../gate/shadow.js';
import { StoreRefusedError, type DecisionRecord, type LogRecord } from './store.js';

/** A decision, serialized once: its text for the record and its members for an answer. */
export interface DecisionTexts {
  record: string;
  /** the members of the decision as an answer carries them (no braces), with or without its trace */
  members(withTrace: boolean): string;
}

export function decisionTexts(d: Decision, policyShadow?: PolicyShadow): DecisionTexts {
  const { action, outcome, reasons, fired, risk, errors, shadow, revision, contract, receivedContract, context, engine, now, exceptions, trace, ...rest } = d;
  rest satisfies Record<string, never>;  // a member added to Decision must be added here too
  const q = JSON.stringify;
  const reasonsText = q(reasons);
  const head = `"action":${q(action)},"outcome":${q(outcome)},"reasons":${reasonsText},"fired":${q(fired)},"risk":${q(risk)},"errors":${q(errors)}`;
  const tail = `"revision":${q(revision)},"contract":${q(contract)},"receivedContract":${q(receivedContract)},"context":${q(context)},"engine":${q(engine)},"now":${q(now)}${exceptions ? `,"exceptions":${q(exceptions)}` : ''}`;
  // The engine hands the live reasons on as the shadow's when no shadow rule counted.
  const own = shadow.outcome === outcome && shadow.reasons === reasons ? undefined : q(shadow);
  const liveShadow = `{"outcome":${q(outcome)},"reasons":${reasonsText}}`;
  const shadowText = own === liveShadow ? undefined : own;
  return {
    record: `{${head}${shadowText === undefined ? '' : `,"shadow":${shadowText}`},${tail}${policyShadow ? `,"policyShadow":${q(policyShadow)}` : ''}${trace ? `,"trace":${q(compactTrace(trace))}` : ''}}`,
    members: (withTrace) => `${head},"shadow":${shadowText ?? liveShadow},${tail}${withTrace && trace ? `,"trace":${q(trace)}` : ''}`,
  };
}

/** A record's JSON as stored: the decision may lack its shadow and hold a packed trace. */
interface StoredRecord extends Omit<DecisionRecord, 'request' | 'decision'> {
  request: { proposal: unknown; context?: unknown; model?: unknown };
  decision: Omit<Decision, 'shadow' | 'trace'> & { shadow?: Decision['shadow']; trace?: Trace | CompactTrace; policyShadow?: PolicyShadow };
}

export function readRecord(text: string): DecisionRecord {
  return recordOf(JSON.parse(text) as StoredRecord);
}

function recordOf(r: StoredRecord): DecisionRecord {
  return {
    id: r.id, seq: r.seq, action: r.action, recordedAt: r.recordedAt, caller: r.caller, idempotencyKey: r.idempotencyKey, payloadHash: r.payloadHash,
    request: { proposal: r.request.proposal, context: r.request.context ?? null, ...(r.request.model !== undefined ? { model: r.request.model } : {}) },
    decision: decisionOf(r.decision), ...(r.editOf ? { editOf: r.editOf } : {}), ...(r.decision.policyShadow ? { policyShadow: r.decision.policyShadow } : {}),
  };
}

/** A record of the log as an export reads it: review, delivery and exception records are stored as they read, a decision as readRecord reads it. */
export function readLogRecord(text: string): LogRecord {
  const r = JSON.parse(text) as LogRecord | StoredRecord;
  return 'kind' in r && (r.kind === 'review' || r.kind === 'delivery' || r.kind === 'exception') ? r : recordOf(r as StoredRecord);
}

function decisionOf(d: StoredRecord['decision']): Decision {
  const out: Decision = {
    action: d.action, outcome: d.outcome, reasons: d.reasons, fired: d.fired, risk: d.risk, errors: d.errors, shadow: d.shadow ?? { outcome: d.outcome, reasons: d.reasons },
    revision: d.revision, contract: d.contract, receivedContract: d.receivedContract, context: d.context, engine: d.engine, now: d.now,
    ...(d.exceptions ? { exceptions: d.exceptions } : {}),
  };
  if (d.trace) out.trace = Array.isArray(d.trace) ? expandTrace(d.trace) : d.trace;
  return out;
}

/**
 * What must be the same for a request to replay the first decision, as the action's
 * `idempotency.match` says, whatever the member order, whitespace or number spelling: SHA-256 of
 * the canonical JSON of the action, the proposal and the contract version the request named
 * (`proposal`, the default: a retry after a crash carries a context the service looked up again,
 * and must get the first decision, not a conflict and not a second decision), and of the context
 * too (`request`). Computed by the store from the request text it records, so the hash in a
 * record always describes the request beside it.
 */
export function payloadHash(action: string, requestJson: string, match: 'proposal' | 'request' = 'proposal'): string {
  let r: StoredRecord['request'] & { contract?: unknown; version?: unknown };
  try {
    r = JSON.parse(requestJson) as StoredRecord['request'];
  } catch (e) {
    throw new StoreRefusedError(`the request to record is not JSON: ${(e as Error).message}`, e);
  }
  const named = { ...(r.contract !== undefined ? { contract: r.contract } : {}), ...(r.version !== undefined ? { version: r.version } : {}) };
  return sha256(canonicalJson(match === 'request' ? { action, proposal: r.proposal, context: r.context ?? null, ...named } : { action, proposal: r.proposal, ...named }));
}
