/**
 * A small typed client for the gate.
 *
 * ```ts
 * import { createClient } from 'arbiter-gate/client';
 * const gate = createClient({ url: 'http://127.0.0.1:8787', key: process.env.ARBITER_KEY! });
 * const d = await gate.decide({ action: 'refund_order', proposal, context });
 * if (d.outcome === 'approve') await refund(proposal);
 * ```
 *
 * Transport failures, 429 and 503 are retried (exponential backoff with full jitter, honouring
 * `Retry-After`) with the same body and the same idempotency key, so a retry returns the first
 * decision instead of making a second one. When an action's proposal carries no key of its own,
 * the client sends an `Idempotency-Key` of its own making, one per decide() call.
 */
import { randomUUID } from 'node:crypto';
import type { ModelMember } from '../adapters/models/types.js';
import type { Decision, ExplainLevel } from '../engine/index.js';

export interface ClientOptions {
  url: string;
  key: string;
  /** further attempts after the first (default 3) */
  retries?: number;
  /** per attempt (default 10 s) */
  timeoutMs?: number;
  /** first backoff, doubled per attempt (default 100 ms) */
  backoffMs?: number;
  fetch?: typeof fetch;
}

export interface DecideInput {
  action: string;
  proposal: unknown;
  context?: Record<string, unknown>;
  /** the contract version the proposal is written to (`refund_order@1`); default the action's `version_from`, else its current version */
  contract?: string;
  /** the version alone (`1`, `"1.4.0"`); give `contract` or `version`, not both */
  version?: string | number;
  explain?: ExplainLevel;
  /** who proposed it: what a model adapter returns, as `modelMember(result)` (docs/model.md) */
  model?: ModelMember;
  /** sent as `Idempotency-Key`; default a fresh UUID per call */
  idempotencyKey?: string;
}

export interface RecordedDecision extends Decision {
  id: string;
  recordedAt: string;
  replayed: boolean;
  idempotencyKey: string | null;
}

export interface StoredDecision extends RecordedDecision {
  seq: number;
  caller: string;
  request: { proposal: unknown; context: unknown; model?: ModelMember };
}

/** The gate answered with an error: `code` is one of the stable codes in docs/server.md. */
export class ArbiterError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: unknown) {
    super(message);
    this.name = 'ArbiterError';
  }
}

export interface Client {
  decide(input: DecideInput): Promise<RecordedDecision>;
  evaluate(input: Omit<DecideInput, 'idempotencyKey' | 'model'> & { now?: string }): Promise<Decision>;
  getDecision(id: string): Promise<StoredDecision>;
  /** the action's current contract, as a model adapter writes proposals to it */
  contract(action: string): Promise<Record<string, unknown>>;
}

const RETRY_STATUS = new Set([429, 502, 503, 504]);

export function createClient(options: ClientOptions): Client {
  const base = options.url.replace(/\/+$/, '');
  const retries = options.retries ?? 3;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const backoffMs = options.backoffMs ?? 100;
  const doFetch = options.fetch ?? fetch;

  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    let lastError: unknown;
    for (let attempt = 0; attempt <= retries; attempt++) {
      let wait = Math.random() * backoffMs * 2 ** attempt;
      try {
        const res = await doFetch(`${base}${path}`, {
          method, ...(text !== undefined ? { body: text } : {}),
          headers: { authorization: `Bearer ${options.key}`, ...(text !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (res.ok) return (await res.json()) as T;
        const payload = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string; details?: unknown } };
        const error = new ArbiterError(res.status, payload.error?.code ?? 'http_error', payload.error?.message ?? `HTTP ${res.status}`, payload.error?.details);
        if (!RETRY_STATUS.has(res.status)) throw error;
        lastError = error;
        const after = Number(res.headers.get('retry-after'));
        if (Number.isFinite(after) && after > 0) wait = after * 1000;
      } catch (e) {
        if (e instanceof ArbiterError) throw e;
        lastError = e;
      }
      if (attempt < retries) await new Promise((r) => setTimeout(r, wait));
    }
    throw lastError;
  }

  return {
    decide(input) {
      const { idempotencyKey = randomUUID(), ...body } = input;
      return call<RecordedDecision>('POST', '/v1/decisions', body, { 'idempotency-key': idempotencyKey });
    },
    evaluate(input) {
      return call<Decision>('POST', '/v1/evaluate', input);
    },
    getDecision(id) {
      return call<StoredDecision>('GET', `/v1/decisions/${encodeURIComponent(id)}`);
    },
    contract(action) {
      return call<Record<string, unknown>>('GET', `/v1/contracts/${encodeURIComponent(action)}`);
    },
  };
}
