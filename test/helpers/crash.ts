/**
 * Mixed load on gates run as processes, killed with SIGKILL at random moments and restarted, and
 * the ledger of what each request was answered, to check against the store afterwards. The load:
 * new proposals, identical duplicates, conflicting resubmissions (same key, another amount) and
 * review verdicts, each kind a share of the requests. It is built so that a further kind (a
 * delivery to a local receiver, once the outbox exists) adds a branch to `step` and a check.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './cli.js';
import { serveProcess, type Served } from './process.js';

const proposal = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-proposal.json'), 'utf8')) as Record<string, unknown>;
const context = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-context.json'), 'utf8')) as Record<string, unknown>;
/** 120 is approved, 650 goes to review (a standard customer, most of the order) */
export const refund = (id: string, amount: number) => ({ action: 'refund_order', proposal: { ...proposal, proposal_id: id, amount }, context });

export interface Ledger {
  /** per idempotency key: the amount first sent, and every 2xx answer's body */
  keys: Map<string, { amount: number; acked: Record<string, unknown>[]; refusedAmounts: number[] }>;
  /** review verdicts answered 200 */
  verdicts: Map<string, 'approved' | 'rejected'>;
  counts: { sent: number; acked: number; replayed: number; conflicts: number; verdicts: number; unanswered: number; unavailable: number };
}

export const newLedger = (): Ledger => ({ keys: new Map(), verdicts: new Map(), counts: { sent: 0, acked: 0, replayed: 0, conflicts: 0, verdicts: 0, unanswered: 0, unavailable: 0 } });

async function call(s: Served, path: string, body: unknown, key = s.key): Promise<{ status: number; json: Record<string, unknown> } | undefined> {
  try {
    const r = await fetch(`${s.url}${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }), signal: AbortSignal.timeout(15_000) });
    return { status: r.status, json: (await r.json()) as Record<string, unknown> };
  } catch {
    return undefined;
  }
}

/** One request of the mix, against one of the live gates. */
async function step(gate: Served, l: Ledger): Promise<void> {
  const roll = Math.random();
  const known = [...l.keys.keys()];
  l.counts.sent++;
  if (roll < 0.5 || known.length < 10) {
    const id = randomUUID();
    const amount = Math.random() < 0.5 ? 120 : 650;
    l.keys.set(id, { amount, acked: [], refusedAmounts: [] });
    const r = await call(gate, '/v1/decisions', refund(id, amount));
    return record(l, id, amount, r);
  }
  const id = known[Math.floor(Math.random() * known.length)]!;
  const entry = l.keys.get(id)!;
  if (roll < 0.75) return record(l, id, entry.amount, await call(gate, '/v1/decisions', refund(id, entry.amount)));
  if (roll < 0.9) return record(l, id, entry.amount + 1, await call(gate, '/v1/decisions', refund(id, entry.amount + 1)));
  // A verdict on a review item that was acknowledged and has none yet.
  const item = entry.acked[0];
  if (!item || item.outcome !== 'review' || l.verdicts.has(String(item.id))) return;
  const review = await call(gate, `/v1/reviews/${String(item.id)}`, undefined, gate.reviewKey);
  const hash = (review?.json.review as { proposalHash?: string; status?: string } | undefined);
  if (!hash?.proposalHash || hash.status !== 'pending') return;
  const verdict = Math.random() < 0.5 ? 'approve' : 'reject';
  const v = await call(gate, `/v1/reviews/${String(item.id)}/${verdict}`, { proposalHash: hash.proposalHash, ...(verdict === 'reject' ? { reason: { code: 'wrong_amount' } } : {}) }, gate.reviewKey);
  if (v?.status === 200) { l.verdicts.set(String(item.id), verdict === 'approve' ? 'approved' : 'rejected'); l.counts.verdicts++; }
}

function record(l: Ledger, id: string, amount: number, r: { status: number; json: Record<string, unknown> } | undefined): void {
  const entry = l.keys.get(id)!;
  if (!r) { l.counts.unanswered++; return; }
  if (r.status === 200) {
    entry.acked.push(r.json);
    l.counts.acked++;
    if (r.json.replayed === true) l.counts.replayed++;
    // A key first answered for a conflicting resubmission (its original never committed) holds that amount.
    if (entry.acked.length === 1) entry.amount = amount;
  } else if (r.status === 409) {
    entry.refusedAmounts.push(amount);
    l.counts.conflicts++;
  } else if (r.status === 503) {
    l.counts.unavailable++;
  } else {
    throw new Error(`unexpected ${r.status}: ${JSON.stringify(r.json)}`);
  }
}

/**
 * `rounds` times: run `workers` loops of the mix against the live gates for a random 1 to 3 s,
 * then SIGKILL one gate (the other replica, if any, keeps serving) and start it again.
 */
export async function killRounds(store: string, replicas: number, rounds: number, workers: number, l: Ledger): Promise<Served[]> {
  const gates = await Promise.all(Array.from({ length: replicas }, () => serveProcess(['--store', store, '--review-sweep', '1h'])));
  for (let round = 0; round < rounds; round++) {
    let stop = false;
    const loops = Array.from({ length: workers }, async (_, w) => {
      while (!stop) await step(gates[w % gates.length]!, l);
    });
    await new Promise((r) => setTimeout(r, 1000 + Math.random() * 2000));
    const victim = Math.floor(Math.random() * gates.length);
    // No new requests from here; the ones in flight are cut off by the kill, or answered before it.
    stop = true;
    gates[victim]!.child.kill('SIGKILL');
    await gates[victim]!.exited;
    await Promise.all(loops);
    gates[victim] = await serveProcess(['--store', store, '--review-sweep', '1h']);
  }
  return gates;
}

export interface Row { id: string; key: string; record: string }

/** What the ledger says against what the store holds; each list names what is wrong, and is empty when nothing is. */
export async function audit(gate: Served, rows: Row[], l: Ledger): Promise<Record<string, string[]>> {
  const problems: Record<string, string[]> = { split: [], missing: [], replay: [], duplicated: [], conflictRecorded: [], verdicts: [], unreadable: [] };
  const byKey = new Map<string, Row[]>();
  for (const r of rows) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
  for (const [key, rs] of byKey) if (rs.length > 1) problems.duplicated!.push(`${key}: ${rs.length} records`);
  for (const [key, e] of l.keys) {
    if (!e.acked.length) continue;
    const first = e.acked[0]!;
    if (new Set(e.acked.map((a) => a.id)).size > 1) problems.split!.push(`${key}: ${e.acked.map((a) => String(a.id)).join(', ')}`);
    const stored = byKey.get(key)?.[0];
    if (!stored || stored.id !== first.id) { problems.missing!.push(`${key}: acknowledged ${String(first.id)}, stored ${stored?.id ?? 'nothing'}`); continue; }
    const amount = (JSON.parse(stored.record) as { request: { proposal: { amount: number } } }).request.proposal.amount;
    if (amount !== e.amount || e.refusedAmounts.includes(amount)) problems.conflictRecorded!.push(`${key}: stored amount ${amount}, acknowledged ${e.amount}, refused ${e.refusedAmounts.join(',')}`);
    const again = await call(gate, '/v1/decisions', refund(key, e.amount));
    const same = (x: Record<string, unknown>) => JSON.stringify({ ...x, replayed: null });
    if (again?.status !== 200 || again.json.replayed !== true || same(again.json) !== same(first)) problems.replay!.push(`${key}: ${again?.status} ${JSON.stringify(again?.json).slice(0, 200)}`);
  }
  for (const [id, status] of l.verdicts) {
    const r = await call(gate, `/v1/reviews/${id}`, undefined, gate.reviewKey);
    const got = (r?.json.review as { status?: string } | undefined)?.status;
    if (got !== status) problems.verdicts!.push(`${id}: acknowledged ${status}, reads ${got}`);
  }
  // Committed but never acknowledged (the kill came between the commit and the answer): complete too.
  for (const row of rows) {
    const r = await call(gate, `/v1/decisions/${row.id}`, undefined);
    if (r?.status !== 200 || typeof r.json.outcome !== 'string' || !(r.json.request as { proposal?: unknown } | undefined)?.proposal) problems.unreadable!.push(`${row.id}: ${r?.status}`);
  }
  return problems;
}
