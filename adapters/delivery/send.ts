/**
 * One attempt: a signed POST with a timeout, and what its answer means. 2xx is delivered. 408,
 * 429, 5xx, a timeout or no answer at all may pass, so they are retried; any other status (a 4xx
 * such as 400, 401, 404, 422, and a redirect, which is not followed) will not change by trying
 * again, so the event is dead at once.
 */
import { signWebhook } from './webhook.js';

export type Fetch = (url: string, init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal; redirect: 'manual' }) => Promise<{ status: number; text(): Promise<string> }>;

export interface Sent { status: number | null; latencyMs: number; error: string | null; verdict: 'delivered' | 'retry' | 'dead' }

export function classify(status: number): Sent['verdict'] {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  return 'dead';
}

export async function send(fetch: Fetch, o: { url: string; secret: string; body: string; idempotencyKey: string; timestamp: number; timeoutMs: number }): Promise<Sent> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), o.timeoutMs);
  const started = performance.now();
  try {
    const res = await fetch(o.url, {
      method: 'POST', body: o.body, signal: ctl.signal, redirect: 'manual',
      headers: { 'content-type': 'application/json', 'user-agent': 'arbiter-delivery/1', 'arbiter-signature': signWebhook(o.secret, o.body, o.timestamp), 'idempotency-key': o.idempotencyKey },
    });
    // Read the body (bounded by the same timeout) so the connection can be reused; it says nothing we act on.
    const text = await res.text().catch(() => '');
    const verdict = classify(res.status);
    return { status: res.status, latencyMs: performance.now() - started, verdict, error: verdict === 'delivered' ? null : `the receiver answered ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}` };
  } catch (e) {
    const timedOut = ctl.signal.aborted;
    return { status: null, latencyMs: performance.now() - started, verdict: 'retry', error: timedOut ? `no answer within ${o.timeoutMs} ms` : `the request failed: ${causeOf(e)}` };
  } finally {
    clearTimeout(timer);
  }
}

function causeOf(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message;
}
