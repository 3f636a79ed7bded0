/** What every route can use: the gate's dependencies, and per-request variables. */
import type { Logger } from 'pino';
import type { Store } from '../adapters/stores/store.js';
import type { ShadowPolicy } from '../gate/shadow.js';
import type { DecisionWatch } from '../gate/watch.js';
import type { ApiKey, KeyRing, Rate } from './keys.js';
import type { Metrics } from './metrics.js';
import type { PolicyHolder } from './policy.js';

export interface Limits {
  /** request body, bytes (default 1 MiB) */
  bodyBytes: number;
  /** JSON nesting depth (default 32) */
  maxDepth: number;
  /** characters in one JSON string (default 65,536) */
  maxStringLength: number;
  /** per API key, unless the key sets its own */
  rate: Rate;
  /** how long an idempotency key holds, ms (default 24 h) */
  idempotencyTtlMs: number;
}

export interface GateDeps {
  policy: PolicyHolder;
  /** a candidate policy decided beside the live one (`--shadow-dir`); never changes a live decision */
  shadow?: ShadowPolicy<PolicyHolder>;
  store: Store;
  keys: KeyRing;
  logger: Logger;
  metrics: Metrics;
  limits: Limits;
  /** log each decision's proposal and context (off by default), minus these JSON Pointers */
  logProposals?: { redact: string[] };
  /** the time decisions are made at; the server clock unless a test fixes it */
  clock?: () => Date;
  /** true once shutdown has begun: /readyz answers 503 */
  draining?: () => boolean;
  /** wakes long polls when a review is decided (createApp makes one when not given) */
  watch?: DecisionWatch;
  /** how long the review page holds a verdict, undoable, before sending it, ms */
  reviewGraceMs?: number;
}

export const DEFAULT_LIMITS: Limits = {
  bodyBytes: 1024 * 1024, maxDepth: 32, maxStringLength: 65_536, rate: { perSecond: 1000, burst: 2000 }, idempotencyTtlMs: 24 * 3600 * 1000,
};

export interface Vars {
  key: ApiKey;
  requestId: string;
  traceId: string | undefined;
  /** extra fields for this request's log line */
  logFields: Record<string, unknown>;
  route: string;
}

export type AppEnv = { Variables: Vars };
