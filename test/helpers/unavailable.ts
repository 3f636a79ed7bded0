/** A gate that cannot reach its store: timed decisions and readiness, and the documented bound on how long a 503 may take. */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ROOT } from './cli.js';
import { openPostgres } from '../../adapters/stores/postgres.js';
import { serveProcess, type Served } from './process.js';

const proposal = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-proposal.json'), 'utf8')) as Record<string, unknown>;
const context = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-context.json'), 'utf8')) as Record<string, unknown>;

export interface Timed { status: number; retryAfter: string | null; code?: string; id?: string; ms: number }

export async function decide(s: Served): Promise<Timed> {
  const t0 = performance.now();
  const r = await fetch(`${s.url}/v1/decisions`, {
    method: 'POST', headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'refund_order', proposal: { ...proposal, proposal_id: randomUUID(), amount: 20 }, context }),
  });
  const body = (await r.json()) as { id?: string; error?: { code: string } };
  return { status: r.status, retryAfter: r.headers.get('retry-after'), ...(body.error ? { code: body.error.code } : {}), ...(body.id ? { id: body.id } : {}), ms: performance.now() - t0 };
}

export async function readyz(s: Served): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  const r = await fetch(`${s.url}/readyz`);
  await r.arrayBuffer();
  return { status: r.status, ms: performance.now() - t0 };
}

/** The documented bound is twice --store-timeout; the slack is for a loaded test machine. */
export const TIMEOUT_S = 1;
export const BOUND_MS = 2 * TIMEOUT_S * 1000 + 3000;

/** Six decisions and /readyz, sent while the store cannot commit: each is a 503 with Retry-After within the bound. */
export async function expectUnavailableWithinBound(s: Served): Promise<void> {
  for (const a of await Promise.all(Array.from({ length: 6 }, () => decide(s)))) {
    expect(a).toMatchObject({ status: 503, retryAfter: '1', code: 'store_unavailable' });
    expect(a.ms).toBeLessThan(BOUND_MS);
  }
  const notReady = await readyz(s);
  expect(notReady.status).toBe(503);
  expect(notReady.ms).toBeLessThan(BOUND_MS);
}

/**
 * A gate on the PostgreSQL at `url`: four decisions, then `fault` (503s within the bound, /readyz
 * too), then `recover`: ready again without a restart, a decision, and every 2xx still there.
 */
export async function unavailableThenRecovered(url: string, fault: () => void, recover: () => void): Promise<void> {
  const s = await serveProcess(['--store', url, '--store-timeout', `${TIMEOUT_S}s`]);
  const before = await Promise.all(Array.from({ length: 4 }, () => decide(s)));
  expect(before.map((a) => a.status)).toEqual([200, 200, 200, 200]);
  fault();
  await expectUnavailableWithinBound(s);
  recover();
  await expect.poll(async () => (await readyz(s)).status, { timeout: 20_000, interval: 200 }).toBe(200);
  const after = await decide(s);
  expect(after.status).toBe(200);
  s.child.kill('SIGTERM');
  expect(await s.exited).toBe(0);
  const store = await openPostgres(url);
  try {
    for (const a of [...before, after]) expect((await store.get(a.id!))?.id).toBe(a.id);
    expect(await store.verify()).toMatchObject({ ok: true });
  } finally {
    await store.close();
  }
}
