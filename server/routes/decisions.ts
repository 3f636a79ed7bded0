/**
 * POST /v1/decisions: decide and record. The decision is durable before the response is sent.
 * GET /v1/decisions/:id and GET /v1/decisions: read the log.
 * POST /v1/evaluate: decide without recording (a dry run; `now` may be given).
 */
import type { Context, Hono } from 'hono';
import { readRecord } from '../../adapters/stores/record.js';
import type { DecisionRecord } from '../../adapters/stores/store.js';
import { DecideError, type CompiledAction, type Decision } from '../../engine/index.js';
import { Rational } from '../../engine/internal.js';
import { parseInstant } from '../../engine/internal.js';
import { draftDecision, RecordError, recordDecision, timedDecide, type RecordPorts } from '../../gate/record.js';
import type { Proposed } from '../../gate/reviews.js';
import type { AppEnv, GateDeps } from '../context.js';
import { HttpError } from '../errors.js';
import { decisionStatus } from './review-status.js';
import { tracedAppend, tracedDecide } from '../tracing.js';
import { allows } from '../keys.js';
import { authenticate, header, readJson, requireScope, route } from '../middleware.js';
import { validate, type DecideBody, type EvaluateBody } from '../wire.js';
import { unknownVersion } from './policy.js';

const DECISION_ID = /^[\x21-\x7e]{1,128}$/;

export function decisionRoutes(app: Hono<AppEnv>, deps: GateDeps): void {

  const ports = recordPorts(deps);

  app.post('/v1/decisions', route('/v1/decisions'), authenticate(deps), async (c) => {
    const { text, value } = await readJson(c, deps);
    const body = envelope(value, validate.decide) as DecideBody;
    requireScope(c, `decide:${body.action}`);
    const action = actionOf(deps, body.action);
    const result = await gateCall(action, () => recordDecision(ports, {
      ...requestOf(deps, action, body), requestText: text, caller: c.get('key').id, ...headerKey(c), ...(body.model?.failure ? { modelFailure: body.model.failure } : {}),
    }));
    // A replay or a conflict's decision id goes only to the key that decided, or one that may read decisions.
    const mayRead = (caller: string | undefined) => caller === c.get('key').id || allows(c.get('key'), 'read');
    if (result.kind === 'conflict') {
      const original = await deps.store.get(result.originalId);
      const holder = original?.action ?? action.name;
      if (!mayRead(original?.caller)) throw usedByAnother(result.key, holder);
      throw new HttpError('idempotency_conflict', `idempotency key \`${result.key}\` was used for a different ${holder} proposal`, { decisionId: result.originalId });
    }
    const withTrace = body.answerTrace !== false;
    if (result.kind === 'replayed') {
      const record = readRecord(result.text);
      if (!mayRead(record.caller)) throw usedByAnother(result.key, record.action);
      count(deps, record.decision, true);
      c.set('logFields', logFields(deps, record.id, record.decision, record.request, true));
      return c.json(view(record, true, withTrace));
    }
    const { id, decision, texts, recordedAt, key } = result;
    count(deps, decision, false);
    if (deps.shadow) {
      const diverged = deps.shadow.note(id, decision, recordedAt, result.policyShadow);
      if (diverged) deps.metrics.shadowDivergence(action.name, diverged.from, diverged.to).inc();
    }
    c.set('logFields', logFields(deps, id, decision, { proposal: body.proposal, context: body.context ?? null }, false));
    const q = JSON.stringify;
    return c.body(`{"id":${q(id)},${texts.members(withTrace)},"recordedAt":${q(recordedAt)},"replayed":false,"idempotencyKey":${q(key)}}`, 200, { 'content-type': 'application/json' });
  });

  app.post('/v1/evaluate', route('/v1/evaluate'), authenticate(deps, 'evaluate'), async (c) => {
    const body = envelope((await readJson(c, deps)).value, validate.evaluate) as EvaluateBody;
    const action = actionOf(deps, body.action);
    const decision = await gateCall(action, () => timedDecide(ports, requestOf(deps, action, body), body.now ?? ports.clock().toISOString()));
    c.set('logFields', { action: action.name, outcome: decision.outcome, dryRun: true });
    return c.json(decision);
  });

  app.get('/v1/decisions/:id', route('/v1/decisions/:id'), authenticate(deps, 'read'), async (c) => {
    const record = DECISION_ID.test(c.req.param('id')) ? await deps.store.get(c.req.param('id')) : undefined;
    if (!record) throw new HttpError('not_found', `no decision \`${c.req.param('id')}\``);
    const status = await decisionStatus(deps, record, c.req.query('wait'));
    return c.json({
      ...view(record, false), seq: record.seq, caller: record.caller, request: record.request, ...(record.editOf ? { editOf: record.editOf } : {}),
      ...(record.policyShadow ? { policyShadow: record.policyShadow } : {}), ...status,
    });
  });

  app.get('/v1/decisions', route('/v1/decisions'), authenticate(deps, 'read'), async (c) => {
    const q = envelope(c.req.query(), validate.listQuery) as Record<string, string | undefined>;
    const limit = q.limit === undefined ? 50 : Number(q.limit);
    if (limit < 1 || limit > 500) throw new HttpError('invalid_request', '`limit` is 1 to 500');
    const page = await deps.store.list({
      limit, ...(q.action ? { action: q.action } : {}), ...(q.outcome ? { outcome: q.outcome } : {}),
      ...(q.since ? { since: sinceParam(q.since) } : {}), ...(q.cursor ? { cursor: Number(q.cursor) } : {}),
    });
    return c.json({
      items: page.items.map((r) => ({ id: r.id, seq: r.seq, action: r.action, outcome: r.decision.outcome, recordedAt: r.recordedAt, revision: r.decision.revision, reasons: r.decision.reasons })),
      next: page.next === null ? null : String(page.next),
    });
  });
}

export function envelope(value: unknown, check: (v: unknown) => { pointer: string; message: string }[]): unknown {
  const errors = check(value);
  if (errors.length) throw new HttpError('invalid_request', `the request does not have the expected shape: ${errors[0]!.message}`, { errors });
  return value;
}

function actionOf(deps: GateDeps, name: string): CompiledAction {
  const action = deps.policy.current.actions.get(name);
  if (!action) throw new HttpError('unknown_action', `the policy defines no action \`${name}\``, { actions: [...deps.policy.current.actions.keys()] });
  return action;
}

/** The engine's and the use case's refusals as the HTTP errors they are. */
async function gateCall<T>(action: CompiledAction, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw httpErrorOf(action, e);
  }
}

function httpErrorOf(action: CompiledAction, e: unknown): unknown {
  if (e instanceof RecordError) return new HttpError(e.code, e.message);
  if (e instanceof DecideError) return e.code === 'unknown_contract_version' ? unknownVersion(action, e) : new HttpError('invalid_request', e.message);
  return e;
}

/** Says no more than that the key is taken: which decision holds it is the other caller's business. */
function usedByAnother(key: string, holder: string): HttpError {
  return new HttpError('idempotency_conflict', `idempotency key \`${key}\` is held by a ${holder} decision of another API key`);
}

const FIRST_MS = Date.parse('0000-01-01T00:00:00.000Z');
const LAST_MS = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * `since` as the stored form of recorded times (ISO, milliseconds, UTC). Read with the engine's
 * RFC 3339 reader, so a leap second (`23:59:60`) is the instant after it; rounded up to the next
 * millisecond, so `>=` on stored times keeps exactly the records at or after it.
 */
function sinceParam(text: string): string {
  const instant = parseInstant(text);
  const ms = instant === undefined ? undefined : -Number(instant.mul(Rational.of(1000n)).neg().floor());
  if (ms === undefined || ms < FIRST_MS || ms > LAST_MS) {
    throw new HttpError('invalid_request', `\`since\` is an RFC 3339 date-time from year 0000 to 9999, such as \`2026-11-21T10:00:00Z\`, not \`${text}\``);
  }
  return new Date(ms).toISOString();
}

/** The record use case's ports for this gate: its store, clock, timings (metrics) and spans (server/tracing.ts). */
export function recordPorts(deps: GateDeps): RecordPorts {
  return {
    log: deps.store, clock: () => (deps.clock ? deps.clock() : new Date()), idempotencyTtlMs: deps.limits.idempotencyTtlMs,
    // Read at each decision: a shadow can be set on a running gate's deps.
    shadow: () => deps.shadow,
    timed: { decide: (action, s) => deps.metrics.decideLatency(action).observe(s), append: (s) => deps.metrics.storeLatency('append').observe(s) },
    traced: { decide: tracedDecide, append: tracedAppend },
  };
}

/** The decision request as the record use case takes it. */
function requestOf(deps: GateDeps, action: CompiledAction, body: EvaluateBody) {
  return {
    action, policy: deps.policy.current, proposal: body.proposal, ...(body.context !== undefined ? { context: body.context } : {}), ...(body.explain ? { explain: body.explain } : {}),
    ...(body.contract !== undefined ? { contract: body.contract } : {}), ...(body.version !== undefined ? { version: body.version } : {}),
  };
}

const headerKey = (c: Context<AppEnv>) => { const k = header(c, 'idempotency-key'); return k === undefined ? {} : { headerKey: k }; };

/** A decision of an edited proposal, ready to append with the edit that closes the original. */
export function draftEdit(deps: GateDeps, body: DecideBody, caller: string, now: Date, editOf: string): Proposed {
  const action = actionOf(deps, body.action);
  return httpWrap(action, () => draftDecision(recordPorts(deps), { ...requestOf(deps, action, body), caller }, now, editOf));
}

function httpWrap<T>(action: CompiledAction, run: () => T): T {
  try {
    return run();
  } catch (e) {
    throw httpErrorOf(action, e);
  }
}

function view(r: DecisionRecord, replayed: boolean, withTrace = true) {
  const { trace, ...decision } = r.decision;
  return { id: r.id, ...decision, ...(withTrace && trace ? { trace } : {}), recordedAt: r.recordedAt, replayed, idempotencyKey: r.idempotencyKey };
}

export function count(deps: GateDeps, d: Decision, replayed: boolean): void {
  deps.metrics.decision(d.action, d.outcome, String(replayed)).inc();
  if (replayed) return;
  if (d.errors.some((e) => e.code.startsWith('contract.'))) deps.metrics.contractViolation(d.action).inc();
  for (const mode of ['enforce', 'shadow'] as const) for (const id of d.fired[mode]) deps.metrics.ruleFired(d.action, id, mode).inc();
}

function logFields(deps: GateDeps, id: string, d: Decision, request: DecisionRecord['request'], replayed: boolean): Record<string, unknown> {
  const fields: Record<string, unknown> = { action: d.action, decisionId: id, outcome: d.outcome, replayed };
  if (deps.logProposals) Object.assign(fields, { proposal: request.proposal, context: request.context });
  return fields;
}
