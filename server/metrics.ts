/**
 * Prometheus metrics (prom-client), one registry per gate, exposed at /metrics, with prom-client's
 * default process metrics (CPU, memory, event loop lag, GC). Label sets seen before are kept bound
 * (`labels(...)` children), so recording a request does not hash its labels.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { QueueDepth } from '../gate/ports.js';

type Bound<T> = { labels(...values: string[]): T };

/** `metric.labels(a, b)` remembered per label values. */
function bind<T>(metric: Bound<T>): (...values: string[]) => T {
  const cache = new Map<string, T>();
  return (...values) => {
    const k = values.join('\u0000');
    let child = cache.get(k);
    if (!child) { child = metric.labels(...values); cache.set(k, child); }
    return child;
  };
}

export class Metrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({ name: 'arbiter_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'status'] as const, registers: [this.registry] });
  private readonly requestSeconds = new Histogram({
    name: 'arbiter_http_request_duration_seconds', help: 'HTTP request latency by route', labelNames: ['route'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [this.registry],
  });
  private readonly decisions = new Counter({ name: 'arbiter_decisions_total', help: 'Decisions by action and outcome (replays counted apart)', labelNames: ['action', 'outcome', 'replayed'] as const, registers: [this.registry] });
  private readonly rulesFired = new Counter({ name: 'arbiter_rules_fired_total', help: 'Rules that fired, by action and rule', labelNames: ['action', 'rule', 'mode'] as const, registers: [this.registry] });
  private readonly contractViolations = new Counter({ name: 'arbiter_contract_violations_total', help: 'Requests rejected for breaking a contract', labelNames: ['action'] as const, registers: [this.registry] });
  private readonly decideSeconds = new Histogram({
    name: 'arbiter_decision_duration_seconds', help: 'Time to decide (contract check, rules, risk, trace), without storage', labelNames: ['action'] as const,
    buckets: [0.000002, 0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.001, 0.005], registers: [this.registry],
  });
  private readonly storeSeconds = new Histogram({
    name: 'arbiter_store_duration_seconds', help: 'Time until a decision is durable (queueing and group commit included)', labelNames: ['op'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5], registers: [this.registry],
  });
  private readonly verdicts = new Counter({ name: 'arbiter_review_verdicts_total', help: 'Review items closed, by queue, status (approved, rejected, expired, edited) and reviewer', labelNames: ['queue', 'status', 'reviewer'] as const, registers: [this.registry] });
  private readonly decideReviewSeconds = new Histogram({
    name: 'arbiter_review_time_to_decide_seconds', help: 'Time from a review item\'s creation to its verdict', labelNames: ['queue'] as const,
    buckets: [1, 10, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600], registers: [this.registry],
  });
  private readonly expiries = new Counter({ name: 'arbiter_review_expiries_total', help: 'Review items the sweeper expired, by queue', labelNames: ['queue'] as const, registers: [this.registry] });
  private readonly deliveryAttempts = new Counter({ name: 'arbiter_delivery_attempts_total', help: 'Delivery attempts by action and result (delivered, retry, dead)', labelNames: ['action', 'result'] as const, registers: [this.registry] });
  private readonly deliveriesDelivered = new Counter({ name: 'arbiter_deliveries_delivered_total', help: 'Events the receiver acknowledged, by action', labelNames: ['action'] as const, registers: [this.registry] });
  private readonly deadLetters = new Counter({ name: 'arbiter_delivery_dead_letters_total', help: 'Events dead-lettered, by action', labelNames: ['action'] as const, registers: [this.registry] });
  private readonly deliverySeconds = new Histogram({
    name: 'arbiter_delivery_duration_seconds', help: 'Time from sending an event to the receiver\'s answer (or the timeout), by action', labelNames: ['action'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 30], registers: [this.registry],
  });
  private readonly deliveryCommands = new Counter({ name: 'arbiter_delivery_commands_total', help: 'Dead letters replayed or purged by operators', labelNames: ['op'] as const, registers: [this.registry] });
  private readonly reloads = new Counter({ name: 'arbiter_policy_reloads_total', help: 'Policy reloads by result', labelNames: ['result'] as const, registers: [this.registry] });
  private readonly shadowDivergences = new Counter({
    name: 'arbiter_shadow_divergence_total', help: 'Recorded decisions the shadow policy decided otherwise, by action, live outcome and shadow outcome (`error` when the shadow failed)',
    labelNames: ['action', 'from', 'to'] as const, registers: [this.registry],
  });
  private readonly policy = new Gauge({ name: 'arbiter_policy_info', help: 'The policy revision being served (value 1)', labelNames: ['revision'] as const, registers: [this.registry] });

  readonly request = bind(this.requests);
  readonly requestLatency = bind(this.requestSeconds);
  readonly decision = bind(this.decisions);
  readonly ruleFired = bind(this.rulesFired);
  readonly contractViolation = bind(this.contractViolations);
  readonly decideLatency = bind(this.decideSeconds);
  readonly storeLatency = bind(this.storeSeconds);
  readonly reload = bind(this.reloads);
  readonly verdict = bind(this.verdicts);
  readonly timeToDecide = bind(this.decideReviewSeconds);
  readonly expiry = bind(this.expiries);
  readonly shadowDivergence = bind(this.shadowDivergences);
  readonly deliveryCommand = bind(this.deliveryCommands);

  /** What the delivery worker reports (adapters/delivery/worker.ts DeliveryObserver). */
  readonly delivery = {
    attempt: (action: string, result: string, seconds: number) => {
      this.deliveryAttempts.labels(action, result).inc();
      this.deliverySeconds.labels(action).observe(seconds);
      if (result === 'delivered') this.deliveriesDelivered.labels(action).inc();
    },
    dead: (action: string) => this.deadLetters.labels(action).inc(),
  };

  private readonly depth = new Gauge({ name: 'arbiter_review_queue_depth', help: 'Pending review items per queue, as the store counted them at the last review tick', labelNames: ['queue'] as const, registers: [this.registry] });
  private readonly oldest = new Gauge({ name: 'arbiter_review_queue_oldest_age_seconds', help: 'Age of the oldest pending review item per queue at the last review tick', labelNames: ['queue'] as const, registers: [this.registry] });

  /**
   * The queue's real depth and the age of its oldest pending item, from the store whichever
   * replica wrote the items; set at each review tick, so a scrape asks the store nothing. A queue
   * with nothing pending has neither series.
   */
  setQueueDepth(queues: readonly QueueDepth[], now: Date): void {
    this.depth.reset();
    this.oldest.reset();
    for (const q of queues) {
      this.depth.set({ queue: q.queue }, q.pending);
      this.oldest.set({ queue: q.queue }, Math.max(0, (now.getTime() - Date.parse(q.oldestAt)) / 1000));
    }
  }

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  setRevision(revision: string): void {
    this.policy.reset();
    this.policy.set({ revision }, 1);
  }
}
