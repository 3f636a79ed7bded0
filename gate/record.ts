/**
 * Recording a decision, without HTTP: read the idempotency claim, decide, and append the record
 * with everything that belongs to it (the claim, a review item, an outbox event for an approve of
 * an action that delivers) in one commit.
 * The route parses the request, calls `recordDecision` and maps the result; a test or another
 * edge (a CLI, a queue consumer) can call it the same way.
 *
 * The decision is made before the append, so a replay costs one decision that is thrown away: the
 * store, not this function, knows whether the key was seen, and it must judge the claim in the
 * same transaction that writes the record.
 */
import { decisionTexts, type DecisionTexts } from '../adapters/stores/record.js';
import { decide, type CompiledAction, type CompiledPolicy, type Decision, type DecideRequest } from '../engine/index.js';
import { own, pointerSteps } from '../engine/internal.js';
import { uuidv7 } from './ids.js';
import { routeModelFailure, type ModelFailure } from './model-failure.js';
import { outboxEventFor } from './outbox.js';
import type { AppendItem, DecisionLog } from './ports.js';
import { reviewItemFor } from './reviews.js';
import type { PolicyShadow, ShadowPolicy } from './shadow.js';

const HEADER_KEY = /^[\x21-\x7e]{1,200}$/;
/** A key from the proposal may be any printable text: no control, format or unpaired surrogate code points, no spaces. */
const PROPOSAL_KEY = /^[^\p{C}\p{Z}]{1,200}$/u;

export interface RecordPorts {
  log: Pick<DecisionLog, 'append'>;
  clock: () => Date;
  /** how long an idempotency key holds, ms */
  idempotencyTtlMs: number;
  /** told how long deciding and appending took, seconds (metrics) */
  timed?: { decide(action: string, seconds: number): void; append(seconds: number): void };
  /** run around each decision and each append (the server's tracing spans); absent, each runs bare */
  traced?: { decide(action: string, run: () => Decision): Decision; append<T>(run: () => Promise<T>): Promise<T> };
  /** the candidate policy decided beside the live one (`--shadow-dir`), if one runs; it cannot change the decision */
  shadow?: () => Pick<ShadowPolicy, 'beside'> | undefined;
}

/** What the caller sent, parsed: the envelope's members and the body as received. */
export interface RecordRequest {
  action: CompiledAction;
  policy: CompiledPolicy;
  proposal: unknown;
  context?: Record<string, unknown>;
  explain?: DecideRequest['explain'];
  contract?: string;
  version?: string | number;
  /** the request body as received; it is what the record keeps */
  requestText: string;
  /** the API key that asks */
  caller: string;
  /** the `Idempotency-Key` header, if sent */
  headerKey?: string;
  /** the model adapter never produced a valid proposal: the decision goes to a review that must edit it (gate/model-failure.ts) */
  modelFailure?: ModelFailure;
}

export type Recorded =
  | { kind: 'created'; id: string; recordedAt: string; key: string | null; decision: Decision; texts: DecisionTexts; policyShadow?: PolicyShadow }
  /** the same key and payload were seen before: the first decision's record */
  | { kind: 'replayed'; key: string; text: string }
  /** the same key with another payload: nothing was written */
  | { kind: 'conflict'; key: string; originalId: string };

export class RecordError extends Error {
  constructor(readonly code: 'invalid_idempotency_key', message: string) {
    super(message);
    this.name = 'RecordError';
  }
}

export async function recordDecision(ports: RecordPorts, req: RecordRequest): Promise<Recorded> {
  const { action } = req;
  const claim = idempotencyClaim(action, req.proposal, req.headerKey);
  const key = claim?.key ?? null;
  const now = ports.clock();
  const recordedAt = now.toISOString();
  const decided = timedDecide(ports, req, recordedAt);
  const decision = req.modelFailure ? routeModelFailure(decided, req.modelFailure) : decided;
  const id = uuidv7(now.getTime());
  // Decided after the live decision and from its own copy of the request; it cannot throw (gate/shadow.ts).
  const policyShadow = ports.shadow?.()?.beside(decision, decideRequestOf(req, recordedAt));
  // The decision is serialized once, into the record's text and the answer's; the request is recorded as received.
  const texts = decisionTexts(decision, policyShadow);
  const review = reviewItemFor(action, decision, req.proposal, now);
  const delivery = decision.outcome === 'approve' ? outboxEventFor(action, { decisionId: id, outcome: 'approve', at: recordedAt, proposal: req.proposal, by: null, reason: null }) : undefined;
  const started = performance.now();
  const item: AppendItem = {
    id, action: action.name, outcome: decision.outcome, idempotencyKey: key, idempotencyScope: claim?.scope ?? 'action', idempotencyMatch: action.idempotency.match,
    recordedAt, caller: req.caller, requestJson: req.requestText, decisionJson: texts.record, ttlMs: ports.idempotencyTtlMs,
    ...(review ? { review } : {}), ...(delivery ? { delivery } : {}),
  };
  const result = await (ports.traced ? ports.traced.append(() => ports.log.append(item)) : ports.log.append(item));
  ports.timed?.append((performance.now() - started) / 1000);
  if (result.kind === 'conflict') return { kind: 'conflict', key: key!, originalId: result.originalId };
  if (result.kind === 'replayed') return { kind: 'replayed', key: key!, text: result.text };
  return { kind: 'created', id, recordedAt, key, decision, texts, ...(policyShadow ? { policyShadow } : {}) };
}

/** A decision of an edited proposal, ready to append with the edit that closes the original; it claims no key. */
export function draftDecision(ports: Pick<RecordPorts, 'timed' | 'traced'>, req: Omit<RecordRequest, 'requestText' | 'headerKey'>, now: Date, editOf: string): { item: AppendItem; decision: Decision } {
  const decision = timedDecide(ports, req, now.toISOString());
  const id = uuidv7(now.getTime());
  const review = reviewItemFor(req.action, decision, req.proposal, now, editOf);
  const delivery = decision.outcome === 'approve' ? outboxEventFor(req.action, { decisionId: id, outcome: 'approve', at: now.toISOString(), proposal: req.proposal, by: null, reason: null }) : undefined;
  return {
    decision,
    item: {
      id, action: req.action.name, outcome: decision.outcome, idempotencyKey: null, idempotencyMatch: req.action.idempotency.match, recordedAt: now.toISOString(), caller: req.caller,
      requestJson: JSON.stringify({ proposal: req.proposal, context: req.context ?? null }), decisionJson: decisionTexts(decision).record, ttlMs: 0, editOf,
      ...(review ? { review } : {}), ...(delivery ? { delivery } : {}),
    },
  };
}

/** Decides, without recording (a dry run, or the first step of one); a DecideError (an unknown contract version, an invalid `now`) is the caller's to map. */
export function timedDecide(ports: Pick<RecordPorts, 'timed' | 'traced'>, req: Omit<RecordRequest, 'requestText' | 'headerKey' | 'caller'>, now: string): Decision {
  const start = performance.now();
  const run = () => decide(req.policy, decideRequestOf(req, now));
  const decision = ports.traced ? ports.traced.decide(req.action.name, run) : run();
  ports.timed?.decide(req.action.name, (performance.now() - start) / 1000);
  return decision;
}

function decideRequestOf(req: Omit<RecordRequest, 'requestText' | 'headerKey' | 'caller'>, now: string): DecideRequest {
  return {
    action: req.action.name, proposal: req.proposal, now, ...(req.context !== undefined ? { context: req.context } : {}), ...(req.explain ? { explain: req.explain } : {}),
    ...(req.contract !== undefined ? { contract: req.contract } : {}), ...(req.version !== undefined ? { version: req.version } : {}),
  };
}

/**
 * The action's key, read from the proposal at its JSON Pointer; else the Idempotency-Key header.
 * Either is checked before it reaches a store: PostgreSQL cannot hold a NUL in text. A key read
 * from the proposal is claimed for every action unless the action says otherwise: a proposal id
 * names one proposal whatever its action, so the same id under another action is a conflict.
 */
export function idempotencyClaim(action: CompiledAction, proposal: unknown, header: string | undefined): { key: string; scope: 'global' | 'action' } | null {
  const { key: pointer, scope } = action.idempotency;
  if (pointer) {
    const v = own(proposal, pointerSteps(pointer));
    if (typeof v === 'string' || typeof v === 'number') {
      const key = String(v);
      if (!PROPOSAL_KEY.test(key)) throw new RecordError('invalid_idempotency_key', `the idempotency key at \`/proposal${pointer}\` is 1 to 200 printable characters, without spaces or control characters`);
      return { key, scope: scope ?? 'global' };
    }
  }
  if (header === undefined) return null;
  if (!HEADER_KEY.test(header)) throw new RecordError('invalid_idempotency_key', '`Idempotency-Key` is 1 to 200 visible ASCII characters');
  return { key: header, scope: scope ?? 'action' };
}
