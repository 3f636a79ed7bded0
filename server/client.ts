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
 * Typed: `arbiter types` writes `arbiter.d.ts` with an `Actions` map, and
 * `createClient<Actions>({ … })` checks each proposal and context against the action's contract
 * (the version given by `contract`, else what the gate takes by default) and narrows the
 * decision's `action` and contract refs. Without the type argument every action takes `unknown`.
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

/** What `arbiter types` writes for one action in `Actions`. */
export interface ActionTypes {
  /** what the gate takes without `contract` or `version` */
  proposal: unknown;
  context: unknown;
  /** the current contract ref, which rules read */
  contract: string;
  contextContract: string | null;
  /** every served version, by ref */
  versions: Record<string, unknown>;
}

/** The map of an untyped client: any action, any proposal. */
export type AnyActions = Record<string, { proposal: unknown; context: Record<string, unknown>; contract: string; contextContract: string | null; versions: Record<string, unknown> }>;

type Versions<T extends ActionTypes> = keyof T['versions'] & string;
/** `context` may be left out only when an empty one satisfies the action's context contract. */
type ContextOf<T extends ActionTypes> = Record<string, never> extends T['context'] ? { context?: T['context'] } : { context: T['context'] };
type Sent<A extends string, T extends ActionTypes> = { action: A } & ContextOf<T> & (
  | { proposal: T['proposal']; contract?: undefined; version?: undefined }
  | { [R in Versions<T>]: { proposal: T['versions'][R]; contract: R; version?: undefined } }[Versions<T>]
  | { proposal: T['versions'][Versions<T>]; version: string | number; contract?: undefined });
type Common = Omit<DecideInput, 'action' | 'proposal' | 'context' | 'contract' | 'version'>;

/** The request for action `A` of the map `M`. */
export type TypedDecideInput<M extends { [K in keyof M]: ActionTypes }, A extends keyof M & string> = Sent<A, M[A]> & Common;

/** A decision of action `A`: its action and contract refs narrowed to what the policy serves. */
export type TypedDecision<M extends { [K in keyof M]: ActionTypes }, A extends keyof M & string, D extends Decision = Decision> =
  Omit<D, 'action' | 'contract' | 'receivedContract' | 'context'> & { action: A; contract: M[A]['contract']; receivedContract: Versions<M[A]>; context: M[A]['contextContract'] };

export interface Client<M extends { [K in keyof M]: ActionTypes } = AnyActions> {
  decide<A extends keyof M & string>(input: TypedDecideInput<M, A>): Promise<TypedDecision<M, A, RecordedDecision>>;
  evaluate<A extends keyof M & string>(input: Omit<TypedDecideInput<M, A>, 'idempotencyKey' | 'model'> & { now?: string }): Promise<TypedDecision<M, A>>;
  getDecision(id: string): Promise<StoredDecision>;
  /** the action's current contract, as a model adapter writes proposals to it */
  contract(action: keyof M & string): Promise<Record<string, unknown>>;
}

const RETRY_STATUS = new Set([429, 502, 503, 504]);

export function createClient<M extends { [K in keyof M]: ActionTypes } = AnyActions>(options: ClientOptions): Client<M> {
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
    // The types only describe what the gate answers for the request sent; the value is the gate's JSON.
    decide<A extends keyof M & string>(input: TypedDecideInput<M, A>) {
      const { idempotencyKey = randomUUID(), ...body } = input;
      return call<TypedDecision<M, A, RecordedDecision>>('POST', '/v1/decisions', body, { 'idempotency-key': idempotencyKey });
    },
    evaluate<A extends keyof M & string>(input: Omit<TypedDecideInput<M, A>, 'idempotencyKey' | 'model'> & { now?: string }) {
      return call<TypedDecision<M, A>>('POST', '/v1/evaluate', input);
    },
    getDecision(id) {
      return call<StoredDecision>('GET', `/v1/decisions/${encodeURIComponent(id)}`);
    },
    contract(action) {
      return call<Record<string, unknown>>('GET', `/v1/contracts/${encodeURIComponent(action)}`);
    },
  };
}
