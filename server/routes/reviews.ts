/**
 * The review queue over HTTP: list and read items, approve, reject, edit, extend, and batches.
 * Each route parses, calls a use case of gate/reviews.ts with the reviewer its credentials name,
 * and maps the result. A key sees and decides only the queues its `review:<queue>` scopes name.
 */
import type { Context, Hono } from 'hono';
import { own } from '../../engine/internal.js';
import { pointerSteps } from '../../engine/internal.js';
import { parseDuration } from '../../engine/internal.js';
import type { Review } from '../../gate/ports.js';
import {
  batchRefusal, decideBatch, decideReview, DEFAULT_QUEUE, editReview, expireDue, extendReview, ReviewError, type Proposed, type Reviewer, type ReviewPorts,
} from '../../gate/reviews.js';
import type { AppEnv, GateDeps } from '../context.js';
import { HttpError } from '../errors.js';
import { allows } from '../keys.js';
import { authenticate, readJson, route } from '../middleware.js';
import { validate } from '../wire.js';
import { count, draftEdit, envelope } from './decisions.js';

const ports = new WeakMap<GateDeps, ReviewPorts>();

/** The review use cases' ports for this gate; verdicts wake the gate's long polls (createApp gives it its watch). */
export function reviewPorts(deps: GateDeps): ReviewPorts {
  let p = ports.get(deps);
  if (!p) {
    p = { store: deps.store, policy: () => deps.policy.current, clock: () => (deps.clock ? deps.clock() : new Date()), notify: (id) => deps.watch?.notify(id) };
    ports.set(deps, p);
  }
  return p;
}

/**
 * What each replica does every `--review-sweep`: apply the expiries that are due (one replica wins
 * each), and count the queues for the depth gauge. A store that is unavailable now is tried again
 * at the next tick.
 */
export async function reviewTick(deps: GateDeps): Promise<void> {
  try {
    for (const r of await expireDue(reviewPorts(deps))) {
      deps.metrics.expiry(r.queue).inc();
      deps.metrics.verdict(r.queue, r.status, r.decidedBy ?? '').inc();
      deps.logger.info({ review: r.id, action: r.action, queue: r.queue, expiresAt: r.expiresAt }, 'review expired');
    }
    deps.metrics.setQueueDepth(await deps.store.queueDepth(), (deps.clock ?? (() => new Date()))());
  } catch (err) {
    deps.logger.warn({ err }, 'review tick failed; it runs again at the next one');
  }
}

export const reviewerOf = (c: Context<AppEnv>): Reviewer => {
  const key = c.get('key');
  return { id: key.id, may: (scope) => allows(key, scope) };
};

/** Runs a use case; its refusals become the HTTP errors of the same code. */
export async function useCase<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof ReviewError) throw new HttpError(e.code, e.message, e.details);
    throw e;
  }
}

/** The queues a key may see: those of the policy (and, for a key that sees them all, any the store still holds). */
export async function visibleQueues(deps: GateDeps, reviewer: Reviewer): Promise<string[]> {
  const named = new Set([DEFAULT_QUEUE, ...[...deps.policy.current.actions.values()].flatMap((a) => (a.review ? [a.review.queue] : []))]);
  if (reviewer.may('review:*')) for (const q of await deps.store.queueDepth()) named.add(q.queue);
  return [...named].filter((q) => reviewer.may(`review:${q}`)).sort();
}

export function reviewRoutes(app: Hono<AppEnv>, deps: GateDeps): void {
  const p = reviewPorts(deps);

  app.get('/v1/reviews', route('/v1/reviews'), authenticate(deps), async (c) => {
    const page = await listPage(deps, reviewerOf(c), envelope(c.req.query(), validate.reviewQuery) as Record<string, string | undefined>);
    return c.json({ items: page.items, next: page.next === null ? null : String(page.next) });
  });

  app.get('/v1/reviews/stats', route('/v1/reviews/stats'), authenticate(deps), async (c) => c.json(await stats(deps, reviewerOf(c))));

  app.get('/v1/reviews/:id', route('/v1/reviews/:id'), authenticate(deps), async (c) => c.json(await detail(deps, reviewerOf(c), c.req.param('id'))));

  for (const verdict of ['approve', 'reject'] as const) {
    app.post(`/v1/reviews/:id/${verdict}`, route(`/v1/reviews/:id/${verdict}`), authenticate(deps), async (c) => {
      const body = envelope((await readJson(c, deps)).value, validate.verdict) as { proposalHash: string; reason?: { code?: string; text?: string } };
      const review = await useCase(() => decideReview(p, reviewerOf(c), c.req.param('id'), { verdict, ...body }));
      observe(deps, c, review);
      return c.json({ review });
    });
  }

  app.post('/v1/reviews/:id/edit', route('/v1/reviews/:id/edit'), authenticate(deps), async (c) => {
    const body = envelope((await readJson(c, deps)).value, validate.edit) as { proposalHash: string; changes: unknown; reason?: { text?: string } };
    const reviewer = reviewerOf(c);
    const now = p.clock();
    const r = await useCase(() => editReview(p, reviewer, c.req.param('id'), body, (b, editOf): Proposed => draftEdit(deps, { action: b.action, proposal: b.proposal, ...(b.context != null ? { context: b.context as Record<string, unknown> } : {}) }, reviewer.id, now, editOf)));
    observe(deps, c, r.review);
    count(deps, r.next.decision, false);
    return c.json({ review: r.review, next: { id: r.next.item.id, ...r.next.decision, recordedAt: r.next.item.recordedAt, editOf: r.review.id } });
  });

  app.post('/v1/reviews/:id/extend', route('/v1/reviews/:id/extend'), authenticate(deps), async (c) => {
    const body = envelope((await readJson(c, deps)).value, validate.extend) as { proposalHash: string; by: string };
    return c.json({ review: await useCase(() => extendReview(p, reviewerOf(c), c.req.param('id'), body)) });
  });

  app.post('/v1/reviews/batch', route('/v1/reviews/batch'), authenticate(deps), async (c) => {
    const body = envelope((await readJson(c, deps)).value, validate.batch) as Parameters<typeof decideBatch>[2];
    const answers = await useCase(() => decideBatch(p, reviewerOf(c), body));
    for (const a of answers) if (a.ok) observe(deps, c, a.review);
    c.set('logFields', { batch: body.verdict, items: answers.length, decided: answers.filter((a) => a.ok).length });
    return c.json({ items: answers });
  });
}

export async function listPage(deps: GateDeps, reviewer: Reviewer, q: Record<string, string | undefined>) {
  let queues = await visibleQueues(deps, reviewer);
  if (q.queue !== undefined) {
    if (!reviewer.may(`review:${q.queue}`)) throw new HttpError('forbidden', `API key \`${reviewer.id}\` lacks scope \`review:${q.queue}\``);
    queues = [q.queue];
  }
  const limit = q.limit === undefined ? 100 : Number(q.limit);
  if (limit < 1 || limit > 1000) throw new HttpError('invalid_request', '`limit` is 1 to 1000');
  const age = q.older_than === undefined ? undefined : parseDuration(q.older_than);
  const now = reviewPorts(deps).clock().getTime();
  return deps.store.reviews({
    queues, status: q.status === 'closed' ? 'closed' : 'pending', limit, ...(q.offset ? { offset: Number(q.offset) } : {}),
    ...(q.action ? { action: q.action } : {}), ...(q.tier ? { tier: q.tier } : {}), ...(q.rule ? { rule: q.rule } : {}),
    ...(age ? { createdBefore: new Date(now - age.toNumber() * 1000).toISOString() } : {}),
  });
}

/** Everything a reviewer needs about one item: the exact request, why it is here, the effect preview, earlier reviews of the same entity. */
export async function detail(deps: GateDeps, reviewer: Reviewer, id: string) {
  const review = await deps.store.review(id);
  if (!review || !reviewer.may(`review:${review.queue}`)) throw new HttpError('not_found', `no review \`${id}\``);
  const record = (await deps.store.get(id))!;
  const action = deps.policy.current.actions.get(review.action);
  const settings = action?.review;
  const history = review.entity === null ? [] : (await deps.store.reviews({ queues: [review.queue], status: 'closed', action: review.action, entity: review.entity, limit: 11 })).items.filter((h) => h.id !== id).slice(0, 10);
  return {
    review, caller: record.caller, recordedAt: record.recordedAt, request: record.request, decision: record.decision,
    contract: action?.contract.ref === record.decision.contract ? action.contract.schema : null,
    preview: (settings?.preview ?? []).map((m) => ({ field: m.proposal, current: own(record.request.context, pointerSteps(m.context)) ?? null, proposed: own(record.request.proposal, pointerSteps(m.proposal)) ?? null })),
    presets: settings?.reasons ?? [],
    selfReview: settings?.selfReview ?? false,
    batch: batchRefusal(deps.policy.current, review) ?? null,
    history: history.map(({ id: hid, status, decidedBy, decidedAt, reason, createdAt }) => ({ id: hid, status, decidedBy, decidedAt, reason, createdAt })),
  };
}

/** What the strip shows: pending per queue, and over the last 500 closed items, the median time to decide and the approval rate by rule. */
export async function stats(deps: GateDeps, reviewer: Reviewer) {
  const queues = await visibleQueues(deps, reviewer);
  const depth = (await deps.store.queueDepth()).filter((q) => queues.includes(q.queue)).map(({ queue, pending }) => ({ queue, pending }));
  const closed = (await deps.store.reviews({ queues, status: 'closed', limit: 500 })).items.filter((r) => r.status !== 'edited');
  const seconds = closed.filter((r) => r.status !== 'expired').map((r) => (Date.parse(r.decidedAt!) - Date.parse(r.createdAt)) / 1000).sort((a, b) => a - b);
  const byRule = new Map<string, { decided: number; approved: number }>();
  for (const r of closed) {
    for (const rule of r.rules) {
      const s = byRule.get(rule) ?? { decided: 0, approved: 0 };
      s.decided++;
      if (r.status === 'approved') s.approved++;
      byRule.set(rule, s);
    }
  }
  return {
    pending: depth.reduce((n, q) => n + q.pending, 0), queues: depth,
    decided: closed.length, expired: closed.filter((r) => r.status === 'expired').length,
    medianSecondsToDecide: seconds.length ? seconds[(seconds.length - 1) >> 1]! : null,
    byRule: [...byRule].map(([rule, s]) => ({ rule, ...s, approvalRate: s.approved / s.decided })).sort((a, b) => a.rule.localeCompare(b.rule)),
  };
}

/** Counts a closed item, and names it in the request's log line. */
function observe(deps: GateDeps, c: Context<AppEnv>, review: Review): void {
  c.set('logFields', { review: review.id, action: review.action, queue: review.queue, closed: review.status, ...(review.next ? { next: review.next } : {}) });
  deps.metrics.verdict(review.queue, review.status, review.decidedBy ?? '').inc();
  if (review.decidedAt) deps.metrics.timeToDecide(review.queue).observe((Date.parse(review.decidedAt) - Date.parse(review.createdAt)) / 1000);
}
