/**
 * Mixed load on gates run as processes, killed with SIGKILL at random moments and restarted, and
 * the ledger of what each request was answered, to check against the store afterwards. The load:
 * new proposals, identical duplicates, conflicting resubmissions (same key, another amount) and
 * review verdicts, each kind a share of the requests, and with `delivering` the deliveries of the
 * final decisions to a receiver in this process (`startRecorder`), checked by `auditDeliveries`.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { verifyWebhook } from '../../adapters/delivery/webhook.js';
import { copyOfPack, ROOT } from './cli.js';
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
export async function killRounds(store: string, replicas: number, rounds: number, workers: number, l: Ledger, extra: Extra = { args: [], env: {} }): Promise<Served[]> {
  const start = () => serveProcess(['--store', store, '--review-sweep', '1h', ...extra.args], extra.env);
  const gates = await Promise.all(Array.from({ length: replicas }, start));
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
    gates[victim] = await start();
  }
  return gates;
}

/** What `killRounds` adds to each gate's command line and environment. */
export interface Extra { args: string[]; env: NodeJS.ProcessEnv }

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

/** One request the receiver got whose signature verified. */
export interface Delivered { decision: string; key: string; body: string; outcome: string }

export interface Recorder { url: string; got: Delivered[]; refused: number; failed: number; close(): Promise<void> }

/**
 * A receiver in the test process: it verifies each request's signature (a bad one is answered 400
 * and counted), records the decision id, the `Idempotency-Key` and the body, and answers 200, or
 * 503 to a share `failShare` of the requests so that retries are part of the run.
 */
export async function startRecorder(secret: string, failShare = 0): Promise<Recorder> {
  const r: Omit<Recorder, 'url' | 'close'> = { got: [], refused: 0, failed: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const v = verifyWebhook(secret, req.headers, body);
      if (!v.ok) { r.refused++; res.writeHead(400).end(v.reason); return; }
      if (Math.random() < failShare) { r.failed++; res.writeHead(503).end('later'); return; }
      const event = JSON.parse(body.toString('utf8')) as { decision: string; outcome: string };
      r.got.push({ decision: event.decision, key: v.idempotencyKey ?? '(none)', body: body.toString('utf8'), outcome: event.outcome });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return Object.assign(r, {
    url: `http://127.0.0.1:${port}/hook`,
    close: () => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  });
}

/**
 * A copy of the bundled pack whose `refund_order` delivers to `HOOK_URL` with `HOOK_SECRET`, and
 * the gate settings that make a crashed sender's events due again within seconds.
 */
export function delivering(recorder: { url: string }, secret: string): Extra {
  const dir = copyOfPack();
  const file = join(dir, 'rules.registry.yaml');
  const registry = readFileSync(file, 'utf8');
  const anchor = '    idempotency: { key: /proposal_id }\n    default: approve\n    review:\n      queue: payments\n';
  if (!registry.includes(anchor)) throw new Error('the bundled registry no longer has the refund_order lines this edit expects');
  writeFileSync(file, registry.replace(anchor, `    idempotency: { key: /proposal_id }\n    deliver: { url_env: HOOK_URL, secret_env: HOOK_SECRET, timeout: 1s, max_attempts: 50 }\n    default: approve\n    review:\n      queue: payments\n`));
  return { args: ['--dir', dir, '--delivery-poll', '1s', '--delivery-lease', '3s'], env: { HOOK_URL: recorder.url, HOOK_SECRET: secret } };
}

/** Polls the outbox through the API until nothing is pending; how many events it holds by status. */
export async function drain(gate: Served, limitMs = 120_000): Promise<Record<string, number>> {
  const t0 = Date.now();
  const list = async (status: string) => {
    const out: unknown[] = [];
    for (let offset = 0; ; offset += 500) {
      const r = await call(gate, `/v1/deliveries?status=${status}&limit=500&offset=${offset}`, undefined);
      if (r?.status !== 200) throw new Error(`listing ${status} deliveries: ${r?.status} ${JSON.stringify(r?.json)}`);
      const items = r.json.items as unknown[];
      out.push(...items);
      if (items.length < 500) return out.length;
    }
  };
  while ((await list('pending')) > 0) {
    if (Date.now() - t0 > limitMs) throw new Error(`deliveries still pending after ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { pending: 0, delivered: await list('delivered'), dead: await list('dead') };
}

/**
 * What the receiver got against the ledger and the log: every approve answered 2xx and every
 * verdict answered 200 was delivered, with the outcome it was answered; every delivery of one
 * decision carried the decision id as its key and the same body; none names a decision the log
 * does not hold.
 */
export function auditDeliveries(got: Delivered[], rows: Row[], l: Ledger): Record<string, string[]> {
  const problems: Record<string, string[]> = { undelivered: [], wrongKey: [], bodyChanged: [], phantom: [], wrongOutcome: [] };
  const byDecision = new Map<string, Delivered[]>();
  for (const g of got) byDecision.set(g.decision, [...(byDecision.get(g.decision) ?? []), g]);
  const logged = new Set(rows.map((r) => r.id));
  for (const [id, ds] of byDecision) {
    if (!logged.has(id)) problems.phantom!.push(`${id}: ${ds.length} deliveries, no record`);
    for (const d of ds) if (d.key !== id) problems.wrongKey!.push(`${id}: delivered with key ${d.key}`);
    if (new Set(ds.map((d) => d.body)).size > 1) problems.bodyChanged!.push(`${id}: ${new Set(ds.map((d) => d.body)).size} different bodies`);
  }
  const expect = (id: string, outcome: string) => {
    const ds = byDecision.get(id);
    if (!ds) problems.undelivered!.push(`${id}: acknowledged ${outcome}, never delivered`);
    else if (ds[0]!.outcome !== outcome) problems.wrongOutcome!.push(`${id}: acknowledged ${outcome}, delivered ${ds[0]!.outcome}`);
  };
  for (const e of l.keys.values()) if (e.acked[0]?.outcome === 'approve') expect(String(e.acked[0].id), 'approve');
  for (const [id, status] of l.verdicts) expect(id, status === 'approved' ? 'approve' : 'reject');
  return problems;
}
