/**
 * The delivery outbox over HTTP, for operators: list events (`?status=dead` is the dead-letter
 * queue), read one with every attempt, replay a dead letter (a new round of attempts with the same
 * body and `Idempotency-Key`), and purge one. Replays and purges are records of the hash-chained
 * log, made by the key the credentials name. Keys need scope `deliveries` (or `admin`).
 */
import type { Context, Hono } from 'hono';
import { DeliveryWorker } from '../../adapters/delivery/worker.js';
import { commandDelivery, DeliveryError } from '../../gate/outbox.js';
import type { Delivery, DeliveryStatus } from '../../gate/ports.js';
import type { AppEnv, GateDeps } from '../context.js';
import { HttpError } from '../errors.js';
import { authenticate, route } from '../middleware.js';

const STATUSES: readonly DeliveryStatus[] = ['pending', 'delivered', 'dead', 'purged'];
const ID = /^[0-9a-f-]{36}$/;

export function deliveryRoutes(app: Hono<AppEnv>, deps: GateDeps): void {
  const ports = { outbox: deps.store, clock: () => (deps.clock ? deps.clock() : new Date()) };
  const guard = authenticate(deps, 'deliveries');

  app.get('/v1/deliveries', route('/v1/deliveries'), guard, async (c) => {
    const status = c.req.query('status');
    if (status !== undefined && !STATUSES.includes(status as DeliveryStatus)) throw new HttpError('invalid_request', `\`status\` is one of ${STATUSES.map((s) => `\`${s}\``).join(', ')}, not \`${status}\``);
    const limit = Number(c.req.query('limit') ?? 100);
    const offset = Number(c.req.query('offset') ?? 0);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new HttpError('invalid_request', '`limit` is 1 to 1000');
    if (!Number.isInteger(offset) || offset < 0) throw new HttpError('invalid_request', '`offset` is a whole number');
    const action = c.req.query('action');
    const page = await deps.store.deliveries({ limit, offset, ...(status ? { status: status as DeliveryStatus } : {}), ...(action ? { action } : {}) });
    return c.json({ items: page.items.map(summary), next: page.next === null ? null : String(page.next) });
  });

  app.get('/v1/deliveries/:id', route('/v1/deliveries/:id'), guard, async (c) => {
    const found = ID.test(c.req.param('id')) ? await deps.store.delivery(c.req.param('id')) : undefined;
    if (!found) throw new HttpError('not_found', `no delivery \`${c.req.param('id')}\``);
    return c.json({ ...summary(found.delivery), body: JSON.parse(found.delivery.body) as unknown, attempts: found.attempts });
  });

  const command = (op: 'replay' | 'purge') => async (c: Context<AppEnv>) => {
    const id = c.req.param('id') ?? '';
    if (!ID.test(id)) throw new HttpError('not_found', `no delivery \`${id}\``);
    try {
      const d = await commandDelivery(ports, op, id, c.get('key').id);
      c.set('logFields', { delivery: id, decision: d.decisionId, op });
      deps.metrics.deliveryCommand(op).inc();
      return c.json({ delivery: summary(d) });
    } catch (e) {
      if (e instanceof DeliveryError) throw new HttpError(e.code === 'not_found' ? 'not_found' : 'delivery_not_dead', e.message, e.details);
      throw e;
    }
  };
  app.post('/v1/deliveries/:id/replay', route('/v1/deliveries/:id/replay'), guard, command('replay'));
  app.delete('/v1/deliveries/:id', route('/v1/deliveries/:id'), guard, command('purge'));
}

/** A delivery without its body and lease token: what lists show. */
function summary(d: Delivery) {
  return {
    id: d.id, decisionId: d.decisionId, action: d.action, status: d.status, attempts: d.attempts, totalAttempts: d.totalAttempts, maxAttempts: d.target.maxAttempts,
    createdAt: d.createdAt, updatedAt: d.updatedAt, nextAt: d.status === 'pending' ? d.nextAt : null, deliveredAt: d.deliveredAt, lastError: d.lastError,
    leased: d.leaseUntil !== null,
  };
}

/** The gate's delivery worker: the store's outbox, the real network and clock, and the gate's metrics and log. */
export function deliveryWorker(deps: GateDeps, env: Record<string, string | undefined>, leaseMs: number): DeliveryWorker {
  return new DeliveryWorker({
    outbox: deps.store, env, fetch: globalThis.fetch, clock: () => (deps.clock ? deps.clock() : new Date()), random: Math.random, leaseMs,
    observe: {
      attempt: (action, result, seconds) => deps.metrics.delivery.attempt(action, result, seconds),
      dead: (d, lastError) => {
        deps.metrics.delivery.dead(d.action);
        deps.logger.warn({ delivery: d.id, decision: d.decisionId, action: d.action, lastError }, 'delivery dead-lettered');
      },
      fallback: (d, sent) => deps.logger.info({ delivery: d.id, fallbackStatus: sent.status, fallbackError: sent.error }, 'fallback notified of a dead letter'),
    },
  });
}
