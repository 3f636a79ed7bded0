/**
 * The delivery worker: takes due outbox events under a lease, sends each, and records the attempt
 * under the same lease. Every replica runs one; the store's lease (gate/ports/outbox.ts) keeps two
 * from sending one event at once, and an event whose sender died (a crash, `kill -9`) is taken
 * again when its lease expires, with the same body and `Idempotency-Key`. Delivery is at least
 * once: a receiver that answered but whose answer was lost gets the event again, and
 * deduplicates it by the key.
 *
 * Time and chance come in as arguments (`clock`, `random`), so tests drive backoff without sleeping.
 */
import { randomUUID } from 'node:crypto';
import type { Delivery, DeliveryTarget, Outbox } from '../../gate/ports/outbox.js';
import { backoffMs, DEFAULT_BACKOFF, type Backoff } from './backoff.js';
import { send, type Fetch, type Sent } from './send.js';

export interface DeliveryObserver {
  attempt(action: string, result: Sent['verdict'], latencySeconds: number): void;
  dead(d: Delivery, lastError: string | null): void;
  fallback(d: Delivery, result: Sent): void;
}

export interface WorkerDeps {
  outbox: Pick<Outbox, 'claimDeliveries' | 'completeAttempt'>;
  /** where `url_env` and `secret_env` are read */
  env: Record<string, string | undefined>;
  fetch: Fetch;
  clock: () => Date;
  random: () => number;
  /** how long a claim holds an event; longer than any attempt's timeout */
  leaseMs?: number;
  batch?: number;
  backoff?: Backoff;
  observe?: Partial<DeliveryObserver>;
}

export const DEFAULT_LEASE_MS = 60_000;
/** An attempt ends this long before its lease does, so a slow answer cannot outlive the lease. */
const LEASE_MARGIN_MS = 1000;

export class DeliveryWorker {
  private running: Promise<number> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: WorkerDeps) {}

  /** One pass: claims due events and sends them, concurrently; returns how many were attempted. */
  tick(): Promise<number> {
    this.running ??= this.pass().finally(() => { this.running = undefined; });
    return this.running;
  }

  /** Ticks every `everyMs` until `stop`; a failing pass (the store unavailable) is tried again at the next. */
  start(everyMs: number, onError: (e: unknown) => void = () => {}): void {
    const loop = () => {
      this.timer = setTimeout(() => void this.tick().catch(onError).finally(() => { if (this.timer) loop(); }), everyMs);
      this.timer.unref();
    };
    loop();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => {});
  }

  private async pass(): Promise<number> {
    const { outbox, clock } = this.deps;
    const leaseMs = this.deps.leaseMs ?? DEFAULT_LEASE_MS;
    const now = clock();
    const lease = randomUUID();
    const due = await outbox.claimDeliveries(now.toISOString(), lease, new Date(now.getTime() + leaseMs).toISOString(), this.deps.batch ?? 16);
    await Promise.all(due.map((d) => this.attempt(d, lease, leaseMs)));
    return due.length;
  }

  private async attempt(d: Delivery, lease: string, leaseMs: number): Promise<void> {
    const started = this.deps.clock();
    const target = this.resolve(d.target);
    const sent: Sent = 'error' in target
      ? { status: null, latencyMs: 0, error: target.error, verdict: 'retry' }
      : await send(this.deps.fetch, {
        url: target.url, secret: target.secret, body: d.body, idempotencyKey: d.decisionId, timestamp: Math.floor(started.getTime() / 1000),
        timeoutMs: Math.max(1, Math.min(d.target.timeoutMs, leaseMs - LEASE_MARGIN_MS)),
      });
    const n = d.attempts + 1;
    const verdict = sent.verdict === 'retry' && n >= d.target.maxAttempts ? 'dead' : sent.verdict;
    const at = this.deps.clock();
    const next = verdict === 'retry' ? { status: 'pending' as const, at: new Date(at.getTime() + backoffMs(n, this.deps.random, this.deps.backoff ?? DEFAULT_BACKOFF)).toISOString() } : { status: verdict };
    const error = verdict === 'dead' && sent.verdict === 'retry' ? `${sent.error} (attempt ${n} of ${d.target.maxAttempts}: giving up)` : sent.error;
    const recorded = await this.deps.outbox.completeAttempt({
      deliveryId: d.id, lease, at: at.toISOString(), next,
      attempt: { n: d.totalAttempts + 1, startedAt: started.toISOString(), status: sent.status, latencyMs: Math.round(sent.latencyMs * 1000) / 1000, error, result: verdict },
    });
    this.deps.observe?.attempt?.(d.action, verdict, sent.latencyMs / 1000);
    // A lease that expired and was taken by another replica: that replica records its own attempt.
    if (!recorded || verdict !== 'dead') return;
    this.deps.observe?.dead?.(d, error);
    if (d.target.fallback) await this.notifyFallback(d, error);
  }

  /** The fallback hears once, best effort, that an event is dead; it is signed with the event's secret. */
  private async notifyFallback(d: Delivery, lastError: string | null): Promise<void> {
    const target = this.resolve({ ...d.target.fallback!, secretEnv: d.target.secretEnv });
    if ('error' in target) { this.deps.observe?.fallback?.(d, { status: null, latencyMs: 0, error: target.error, verdict: 'retry' }); return; }
    const body = JSON.stringify({ type: 'delivery.dead', version: 1, delivery: d.id, decision: d.decisionId, action: d.action, attempts: d.totalAttempts + 1, lastError, event: JSON.parse(d.body) as unknown });
    const sent = await send(this.deps.fetch, { url: target.url, secret: target.secret, body, idempotencyKey: `${d.decisionId}:dead`, timestamp: Math.floor(this.deps.clock().getTime() / 1000), timeoutMs: d.target.timeoutMs });
    this.deps.observe?.fallback?.(d, sent);
  }

  private resolve(t: Pick<DeliveryTarget, 'url' | 'urlEnv' | 'secretEnv'>): { url: string; secret: string } | { error: string } {
    const url = t.url ?? (t.urlEnv ? this.deps.env[t.urlEnv] : undefined);
    if (!url) return { error: `environment variable \`${t.urlEnv}\` (the receiver's URL) is not set` };
    const secret = this.deps.env[t.secretEnv];
    if (!secret) return { error: `environment variable \`${t.secretEnv}\` (the signing secret) is not set` };
    return { url, secret };
  }
}
