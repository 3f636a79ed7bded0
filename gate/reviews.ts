/**
 * The review use cases, without HTTP: what goes into the queue with a `review` decision, the
 * verdicts (approve, reject, edit), extensions, expiry, and batches. Every rule that keeps a
 * verdict honest is checked here, and the store checks the ones that races could break again in
 * the verdict's own transaction (gate/ports.ts): a reviewer who loses learns who won.
 *
 * The reviewer is whoever the credentials say; nothing in a request body names them.
 */
import { randomUUID } from 'node:crypto';
import { BASE_TIER } from '../engine/internal.js';
import { own } from '../engine/internal.js';
import type { CompiledAction, CompiledPolicy, Decision } from '../engine/index.js';
import { pointerSteps } from '../engine/internal.js';
import { parseDuration } from '../engine/internal.js';
import { mergePatch } from './merge-patch.js';
import { isModelFailure, MODEL_INVALID } from './model-failure.js';
import { outboxEventFor, type FinalOutcome } from './outbox.js';
import type { AppendItem, DecisionLog, Review, ReviewEvent, ReviewItem, ReviewQueue, ReviewReason } from './ports.js';

/** Where a `review` decision of an action without `review` settings waits. */
export const DEFAULT_QUEUE = 'default';
const DEFAULT_EXPIRY = '24h';
/** The longest one extension may add. */
const MAX_EXTENSION_MS = 7 * 24 * 3600 * 1000;
export const MAX_BATCH = 100;
/** The sweeper's key id in the log. */
export const SWEEPER = 'arbiter';

export interface ReviewPorts {
  store: ReviewQueue & Pick<DecisionLog, 'get'>;
  policy: () => CompiledPolicy;
  clock: () => Date;
  /** told after a review record for decision `id` is durable */
  notify(id: string): void;
}

export interface Reviewer { id: string; may(scope: string): boolean }

export type ReviewErrorCode = 'not_found' | 'forbidden' | 'not_approvable' | 'self_review' | 'proposal_changed' | 'already_decided' | 'review_expired' | 'invalid_reason' | 'batch_refused' | 'invalid_request';

export class ReviewError extends Error {
  constructor(readonly code: ReviewErrorCode, message: string, readonly details?: Record<string, unknown>) {
    super(message);
    this.name = 'ReviewError';
  }
}

/** The queue entry for a decision, when it is a `review`. */
export function reviewItemFor(action: CompiledAction, decision: Decision, proposal: unknown, now: Date, editOf: string | null = null): ReviewItem | undefined {
  if (decision.outcome !== 'review') return undefined;
  const settings = action.review;
  const entity = settings?.entity && own(proposal, pointerSteps(settings.entity.pointer));
  return {
    queue: settings?.queue ?? DEFAULT_QUEUE, riskTier: decision.risk.tier, riskScore: decision.risk.score, sideEffects: action.sideEffects,
    rules: [...new Set(decision.reasons.flatMap((r) => (r.rule ? [r.rule] : [])))], messages: decision.reasons.map((r) => r.message),
    entity: typeof entity === 'string' || typeof entity === 'number' ? String(entity) : null,
    expiresAt: new Date(now.getTime() + durationMs(settings?.expiresAfter ?? DEFAULT_EXPIRY)).toISOString(),
    onExpiry: settings?.onExpiry ?? 'reject', editOf,
  };
}

const durationMs = (text: string) => parseDuration(text)!.toNumber() * 1000;

export interface VerdictInput { verdict: 'approve' | 'reject'; proposalHash: string; reason?: { code?: string; text?: string }; batch?: boolean }

/** Approves or rejects one pending item; returns it as closed. */
export async function decideReview(ports: ReviewPorts, reviewer: Reviewer, id: string, input: VerdictInput): Promise<Review> {
  const review = await open(ports, reviewer, id, input.proposalHash, true);
  if (input.verdict === 'approve') await approvable(ports, id);
  const reason = input.verdict === 'reject' ? rejectReason(ports, review, input.reason) : optionalReason(input.reason);
  const event = eventOf(ports, reviewer, review, { verdict: input.verdict, proposalHash: input.proposalHash, ...(reason ? { reason } : {}), ...(input.batch ? { batch: true } : {}) });
  return append(ports, review, await withDelivery(ports, review, event, input.verdict));
}

/** The verdict with its outbox event, when it makes the decision final and its action delivers: written only if the verdict applies. */
async function withDelivery(ports: ReviewPorts, review: Review, event: ReviewEvent, outcome: FinalOutcome, proposal?: unknown): Promise<ReviewEvent> {
  const action = ports.policy().actions.get(review.action);
  if (!action?.deliver) return event;
  const p = proposal !== undefined ? proposal : (await ports.store.get(review.id))?.request.proposal ?? null;
  const delivery = outboxEventFor(action, { decisionId: review.id, outcome, at: event.recordedAt, proposal: p, by: event.caller, reason: event.reason ?? null, ...(event.next ? { next: event.next.id } : {}) });
  return delivery ? { ...event, delivery } : event;
}

/** A proposal the model never got right has nothing valid to approve: it is edited into one, or rejected. */
async function approvable(ports: ReviewPorts, id: string): Promise<void> {
  const record = await ports.store.get(id);
  if (!record) throw new ReviewError('not_found', `no decision \`${id}\``);
  if (isModelFailure(record.decision)) {
    throw new ReviewError('not_approvable', `the proposal of review \`${id}\` does not match its contract (\`${MODEL_INVALID}\`): edit it into a valid proposal, or reject it`);
  }
}

export interface Proposed { item: AppendItem; decision: Decision }

/**
 * Closes the item as `edited` and records the edited proposal, decided again by the current
 * policy (`propose` runs the gate on it): an edit cannot skip a rule. Both in one transaction.
 */
export async function editReview(ports: ReviewPorts, reviewer: Reviewer, id: string, input: { proposalHash: string; changes: unknown; reason?: { text?: string } },
  propose: (body: { action: string; proposal: unknown; context: unknown }, editOf: string) => Proposed): Promise<{ review: Review; next: Proposed }> {
  const review = await open(ports, reviewer, id, input.proposalHash, true);
  if (!input.changes || typeof input.changes !== 'object' || Array.isArray(input.changes)) throw new ReviewError('invalid_request', '`changes` is an object of the proposal members to change (a JSON merge patch)');
  const record = await ports.store.get(id);
  if (!record) throw new ReviewError('not_found', `no decision \`${id}\``);
  const next = propose({ action: review.action, proposal: mergePatch(record.request.proposal, input.changes), context: record.request.context }, id);
  const reason = optionalReason(input.reason);
  const event = eventOf(ports, reviewer, review, { verdict: 'edit', proposalHash: input.proposalHash, next: next.item, ...(reason ? { reason } : {}) });
  const closed = await append(ports, review, await withDelivery(ports, review, event, 'edited', record.request.proposal));
  ports.notify(next.item.id);
  return { review: closed, next };
}

/** Gives a pending item more time: `by` is a duration (`30m`, `4h`), added to its expiry. */
export async function extendReview(ports: ReviewPorts, reviewer: Reviewer, id: string, input: { proposalHash: string; by: string }): Promise<Review> {
  const review = await open(ports, reviewer, id, input.proposalHash, false);
  const by = parseDuration(input.by);
  const ms = by && by.toNumber() * 1000;
  if (!ms || ms <= 0 || ms > MAX_EXTENSION_MS) throw new ReviewError('invalid_request', `\`by\` is a duration from 1s to 7d, such as \`4h\`, not \`${input.by}\``);
  const expiresAt = new Date(Date.parse(review.expiresAt) + ms).toISOString();
  return append(ports, review, eventOf(ports, reviewer, review, { verdict: 'extend', proposalHash: input.proposalHash, expiresAt }));
}

/** The sweeper: applies every expiry that is due; returns the items it expired. */
export async function expireDue(ports: ReviewPorts, limit = 100): Promise<Review[]> {
  const now = ports.clock().toISOString();
  const expired: Review[] = [];
  for (const review of await ports.store.dueReviews(now, limit)) {
    const after = ports.policy().actions.get(review.action)?.review?.expiresAfter ?? DEFAULT_EXPIRY;
    const r = await ports.store.appendReview(await withDelivery(ports, review, {
      kind: 'review', id: randomUUID(), decisionId: review.id, action: review.action, recordedAt: now, caller: SWEEPER, verdict: 'expire',
      proposalHash: review.proposalHash, reason: { code: 'expired', text: `nobody decided within ${after}` },
    }, 'reject'));
    // Another replica's sweeper, or a reviewer just in time, may have closed it first.
    if (r.kind === 'created') { expired.push(r.review); ports.notify(review.id); }
  }
  return expired;
}

export interface BatchInput { verdict: 'approve' | 'reject'; items: { id: string; proposalHash: string }[]; reason?: { code?: string; text?: string } }
export type BatchAnswer = { id: string; ok: true; review: Review } | { id: string; ok: false; error: { code: ReviewErrorCode; message: string; details?: Record<string, unknown> } };

/**
 * Decides each item as its own verdict, re-checked one by one; answers per item. Approving in a
 * batch is for homogeneous, low-stakes items only: one action, risk at most `medium`, never a
 * `financial` action. Nothing about a batch outlives it: no rule, no standing grant.
 */
export async function decideBatch(ports: ReviewPorts, reviewer: Reviewer, input: BatchInput): Promise<BatchAnswer[]> {
  if (input.items.length === 0 || input.items.length > MAX_BATCH) throw new ReviewError('invalid_request', `a batch holds 1 to ${MAX_BATCH} items`);
  if (new Set(input.items.map((i) => i.id)).size !== input.items.length) throw new ReviewError('invalid_request', 'a batch names each item once');
  if (input.verdict === 'approve') {
    const actions = new Set((await Promise.all(input.items.map((i) => ports.store.review(i.id)))).flatMap((r) => (r ? [r.action] : [])));
    if (actions.size > 1) throw new ReviewError('batch_refused', `a batch approval is for items of one action; these are of ${[...actions].sort().map((a) => `\`${a}\``).join(', ')}`, { actions: [...actions].sort() });
  }
  const answers: BatchAnswer[] = [];
  for (const it of input.items) {
    try {
      if (input.verdict === 'approve') await batchApprovable(ports, it.id);
      answers.push({ id: it.id, ok: true, review: await decideReview(ports, reviewer, it.id, { verdict: input.verdict, proposalHash: it.proposalHash, ...(input.reason ? { reason: input.reason } : {}), batch: true }) });
    } catch (e) {
      if (!(e instanceof ReviewError)) throw e;
      answers.push({ id: it.id, ok: false, error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } });
    }
  }
  return answers;
}

/** Whether an item may be approved with others: its action is not financial, its risk tier at most `medium`. */
export function batchRefusal(policy: CompiledPolicy, review: Review): string | undefined {
  const action = policy.actions.get(review.action);
  if (review.sideEffects === 'financial' || action?.sideEffects === 'financial') return `\`${review.action}\` has financial side effects: approve it on its own`;
  const tiers = [BASE_TIER, ...[...(action?.risk.tiers ?? [])].sort((a, b) => a.min - b.min).map((t) => t.name)];
  const rank = tiers.indexOf(review.riskTier);
  const medium = tiers.indexOf('medium');
  if (rank < 0 || rank > Math.max(medium, 0) || review.riskTier === 'high') return `risk tier \`${review.riskTier}\` is above \`medium\`: approve it on its own`;
  return undefined;
}

async function batchApprovable(ports: ReviewPorts, id: string): Promise<void> {
  const review = await ports.store.review(id);
  const why = review && batchRefusal(ports.policy(), review);
  if (why) throw new ReviewError('batch_refused', why);
}

/** The item, if this reviewer may act on it now with the hash they saw; `deciding` adds the self-review rule. */
async function open(ports: ReviewPorts, reviewer: Reviewer, id: string, proposalHash: string, deciding: boolean): Promise<Review> {
  const review = await ports.store.review(id);
  if (!review) throw new ReviewError('not_found', `no review \`${id}\``);
  if (!reviewer.may(`review:${review.queue}`)) throw new ReviewError('forbidden', `API key \`${reviewer.id}\` lacks scope \`review:${review.queue}\``);
  const selfReview = ports.policy().actions.get(review.action)?.review?.selfReview ?? false;
  if (deciding && !selfReview && review.submitter === reviewer.id) {
    throw new ReviewError('self_review', `API key \`${reviewer.id}\` submitted this proposal, so another reviewer must decide it (the action's \`self_review\` is \`forbid\`)`);
  }
  refusal(ports, review, proposalHash);
  return review;
}

/** Why a review record for `review` would not apply; the same reading whether checked before or after the store refused. */
function refusal(ports: ReviewPorts, review: Review, proposalHash: string): void {
  if (review.status !== 'pending') {
    throw new ReviewError('already_decided', `review \`${review.id}\` was already ${review.status} by \`${review.decidedBy}\` at ${review.decidedAt}`,
      { status: review.status, decidedBy: review.decidedBy, decidedAt: review.decidedAt, ...(review.next ? { next: review.next } : {}) });
  }
  if (review.proposalHash !== proposalHash) {
    throw new ReviewError('proposal_changed', `the proposal of review \`${review.id}\` is not the one you saw: its hash is \`${review.proposalHash}\`, not \`${proposalHash}\`; reload it`, { proposalHash: review.proposalHash });
  }
  if (review.onExpiry === 'reject' && review.expiresAt <= ports.clock().toISOString()) {
    throw new ReviewError('review_expired', `review \`${review.id}\` expired at ${review.expiresAt}; it is rejected`, { expiresAt: review.expiresAt });
  }
}

function eventOf(ports: ReviewPorts, reviewer: Reviewer, review: Review, rest: Omit<ReviewEvent, 'kind' | 'id' | 'decisionId' | 'action' | 'recordedAt' | 'caller'>): ReviewEvent {
  return { kind: 'review', id: randomUUID(), decisionId: review.id, action: review.action, recordedAt: ports.clock().toISOString(), caller: reviewer.id, ...rest };
}

async function append(ports: ReviewPorts, review: Review, event: ReviewEvent): Promise<Review> {
  const r = await ports.store.appendReview(event);
  if (r.kind === 'refused') {
    if (!r.review) throw new ReviewError('not_found', `no review \`${review.id}\``);
    refusal(ports, r.review, event.proposalHash);
    throw new ReviewError('already_decided', `review \`${review.id}\` changed while this verdict was being recorded; reload it`);
  }
  ports.notify(review.id);
  return r.review;
}

const MAX_REASON = 1000;

/** A reject needs a reason: a preset code of the action's `reasons`, or free text. */
function rejectReason(ports: ReviewPorts, review: Review, given: VerdictInput['reason']): ReviewReason {
  const presets = ports.policy().actions.get(review.action)?.review?.reasons ?? [];
  if (given?.code !== undefined) {
    const preset = presets.find((p) => p.code === given.code);
    if (!preset) throw new ReviewError('invalid_reason', `\`${given.code}\` is not a reason of \`${review.action}\`; its presets are ${presets.map((p) => `\`${p.code}\``).join(', ') || 'none'}, or give \`text\``, { presets: presets.map((p) => p.code) });
    return { code: preset.code, text: given.text?.trim() ? given.text.trim().slice(0, MAX_REASON) : preset.text };
  }
  const r = optionalReason(given);
  if (!r) throw new ReviewError('invalid_reason', 'a reject needs a reason: `reason.code`, a preset of the action, or `reason.text`');
  return r;
}

function optionalReason(given: { text?: string } | undefined): ReviewReason | undefined {
  const text = given?.text?.trim();
  if (!text) return undefined;
  if (text.length > MAX_REASON) throw new ReviewError('invalid_reason', `a reason is at most ${MAX_REASON} characters`);
  return { text };
}

export interface Final {
  /** `review` while pending; `edited`: the edited proposal (`next`) is the one to act on */
  outcome: 'approve' | 'reject' | 'review' | 'edited';
  by: string | null;
  reason: ReviewReason | null;
  at: string | null;
  next?: string;
}

/** What the caller may act on: the decision's own outcome, or its review's verdict. */
export function finalOf(decision: { outcome: Decision['outcome']; recordedAt: string }, review: Review | undefined): Final {
  if (!review) return { outcome: decision.outcome, by: null, reason: null, at: decision.recordedAt };
  const outcome = ({ pending: 'review', approved: 'approve', rejected: 'reject', expired: 'reject', edited: 'edited' } as const)[review.status];
  return { outcome, by: review.decidedBy, reason: review.reason, at: review.decidedAt, ...(review.next ? { next: review.next } : {}) };
}
