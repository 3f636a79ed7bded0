/**
 * Where a gate request's CPU time goes: each step of POST /v1/decisions that is the gate's own
 * work, timed in-process on the benchmark's request bodies (the HTTP server, the socket and the
 * store thread are not included), then the store thread's own steps per decision (SQLite's work
 * is not included). Median of 5 rounds, µs per call.
 * usage: node dist/bench/http/parts.js
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { loadPolicyFiles } from '../../adapters/loaders/fs.js';
import { chainHash, GENESIS, recordText } from '../../adapters/stores/chain.js';
import { decisionTexts, payloadHash } from '../../adapters/stores/record.js';
import type { AppendItem } from '../../adapters/stores/store.js';
import { compilePolicy, decide, type CompiledPolicy } from '../../engine/index.js';
import { parseJsonBody } from '../../server/body.js';
import { DEFAULT_LIMITS } from '../../server/context.js';
import { uuidv7 } from '../../gate/ids.js';
import { Metrics } from '../../server/metrics.js';
import { validate, type DecideBody } from '../../server/wire.js';

const root = join(import.meta.dirname, '..', '..', '..');
const compiled = compilePolicy(loadPolicyFiles(root));
if (!compiled.ok) throw new Error('the bundled pack does not compile');
const policy: CompiledPolicy = compiled.policy;
const proposal = JSON.parse(readFileSync(join(root, 'test/fixtures/refund-proposal.json'), 'utf8')) as Record<string, unknown>;
const context = JSON.parse(readFileSync(join(root, 'test/fixtures/refund-context.json'), 'utf8')) as Record<string, unknown>;
const note = 'the customer sent photos of the broken screen and the packaging; the courier confirmed the damage on delivery; '.repeat(4);
const texts = Array.from({ length: 1000 }, () => JSON.stringify({ action: 'refund_order', proposal: { ...proposal, proposal_id: randomUUID(), note }, context }));
const bodies = texts.map((t) => parseJsonBody(t, DEFAULT_LIMITS) as DecideBody);
let tick = Date.now();
// The gate decides at the request's own time, so no two calls share a `now`.
const now = () => new Date(tick++).toISOString();
const decisions = bodies.map((b) => decide(policy, { action: b.action, proposal: b.proposal, context: b.context!, now: now() }));
const logger = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false, minLength: 8192 }));
const metrics = new Metrics();

const steps: [string, (i: number) => unknown][] = [
  ['read the body: BOM, limits, duplicate members, JSON.parse', (i) => parseJsonBody(texts[i]!, DEFAULT_LIMITS)],
  ['check the envelope (ajv)', (i) => validate.decide(bodies[i])],
  ['decide(), summary trace (the pack\'s `refund_order`: dates, exact arithmetic, two contracts)', (i) => decide(policy, { action: 'refund_order', proposal: bodies[i]!.proposal, context: bodies[i]!.context!, now: now() })],
  ['serialize the decision once: the record\'s text and the answer', (i) => decisionTexts(decisions[i]!).members(true)],
  ['… for an answer without the trace (`answerTrace: false`)', (i) => decisionTexts(decisions[i]!).members(false)],
  ['(baseline: JSON.stringify of the decision, the one text the gate used to make)', (i) => JSON.stringify(decisions[i])],
  ['decision id and time', () => [uuidv7(tick), new Date(tick).toISOString()]],
  ['one request log line (pino)', (i) => logger.info({ requestId: 'r', method: 'POST', route: '/v1/decisions', status: 200, ms: 1.234, key: 'dev', action: 'refund_order', decisionId: 'd', outcome: decisions[i]!.outcome, replayed: false }, 'request')],
  ['metrics (6 updates)', () => {
    metrics.request('/v1/decisions', '200').inc(); metrics.requestLatency('/v1/decisions').observe(0.001); metrics.decideLatency('refund_order').observe(0.00002);
    metrics.storeLatency('append').observe(0.002); metrics.decision('refund_order', 'review', 'false').inc(); metrics.ruleFired('refund_order', 'refund.large_needs_person', 'enforce').inc();
  }],
];

function time(f: (i: number) => unknown): number {
  const rounds: number[] = [];
  for (let r = 0; r < 6; r++) {
    const n = 20_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) f(i % 1000);
    if (r > 0) rounds.push((performance.now() - t0) * 1000 / n);  // the first round warms up
  }
  return rounds.sort((a, b) => a - b)[2]!;
}

const records = decisions.map((d) => decisionTexts(d).record);
const item = (i: number): AppendItem => ({
  id: uuidv7(tick), action: 'refund_order', outcome: decisions[i]!.outcome, idempotencyKey: (bodies[i]!.proposal as { proposal_id: string }).proposal_id,
  recordedAt: decisions[i]!.now, caller: 'dev', requestJson: texts[i]!, decisionJson: records[i]!, ttlMs: 86_400_000,
});
const hashes = texts.map((t) => payloadHash('refund_order', t));
const recorded = texts.map((_, i) => recordText(item(i), i + 1, hashes[i]!));

/** The store thread's own steps for each decision (inside its transaction, besides SQLite's). */
const storeSteps: [string, (i: number) => unknown][] = [
  ['payload hash: parse the request, canonical JSON, SHA-256', (i) => payloadHash('refund_order', texts[i]!)],
  ['the record\'s text', (i) => recordText(item(i), i + 1, hashes[i]!)],
  ['the chain\'s hash over it', (i) => chainHash(GENESIS, recorded[i]!)],
];

function table(title: string, list: [string, (i: number) => unknown][]): string {
  const rows = list.map(([name, f]) => [name, time(f)] as const);
  // The variants and the baseline are not steps of a request: they stay out of the sum.
  const total = rows.filter(([name]) => !name.startsWith('…') && !name.startsWith('(')).reduce((s, [, us]) => s + us, 0);
  return [`| ${title} | µs per call |`, '|---|---:|', ...rows.map(([name, us]) => `| ${name} | ${us.toFixed(1)} |`), `| **sum** | **${total.toFixed(1)}** |`, ''].join('\n');
}

process.stdout.write(`${table('step of POST /v1/decisions, gate thread', steps)}\n${table('step of a commit, per decision, store thread', storeSteps)}`);
