/**
 * Fills a SQLite decision log with N decisions written as the gate writes them: the benchmark's
 * refund request (bench/http), decided by the bundled pack, serialized by `decisionTexts`, with
 * its idempotency key and its review item, appended through the store's own group commit plan
 * (`commitBatch`: payload hash, record text, hash chain, claim, review row) in batches of 1,000.
 * Only the HTTP round trip is skipped, so a million records take minutes instead of hours. The
 * decisions' times are spread over the week before now, and their idempotency keys and review
 * items last until a day after now, so none expires while a benchmark runs on the log (the
 * gate's sweepers would otherwise spend it expiring them). The store is opened with
 * `synchronous=NORMAL` (a crash of the machine could lose the last batches; nothing reads this
 * store before it is closed).
 * usage: node dist/bench/scale/prefill.js FILE [--decisions 1000000]
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPolicyFiles } from '../../adapters/loaders/fs.js';
import { decisionTexts } from '../../adapters/stores/record.js';
import { openSqlite } from '../../adapters/stores/sqlite.js';
import type { AppendItem } from '../../adapters/stores/store.js';
import { compilePolicy, decide } from '../../engine/index.js';
import { reviewItemFor } from '../../gate/reviews.js';
import { uuidv7 } from '../../gate/ids.js';

const file = process.argv[2];
if (!file) throw new Error('usage: prefill.js FILE [--decisions N]');
const at = process.argv.indexOf('--decisions');
const total = at >= 0 ? Number(process.argv[at + 1]) : 1_000_000;
const root = join(import.meta.dirname, '..', '..', '..');
const compiled = compilePolicy(loadPolicyFiles(root));
if (!compiled.ok) throw new Error('the bundled pack does not compile');
const policy = compiled.policy;
const action = policy.actions.get('refund_order')!;
const proposal = JSON.parse(readFileSync(join(root, 'test/fixtures/refund-proposal.json'), 'utf8')) as Record<string, unknown>;
const context = JSON.parse(readFileSync(join(root, 'test/fixtures/refund-context.json'), 'utf8')) as Record<string, unknown>;
const note = 'the customer sent photos of the broken screen and the packaging; the courier confirmed the damage on delivery; '.repeat(4);

const store = openSqlite(file, { synchronous: 'normal' });
const BATCH = 1000;
const start = Date.now() - 7 * 86_400_000;
const step = (7 * 86_400_000 - 60_000) / total;
const until = new Date(Date.now() + 86_400_000);
const t0 = performance.now();
for (let done = 0; done < total;) {
  const items: AppendItem[] = [];
  for (let k = 0; k < BATCH && done < total; k++, done++) {
    const now = new Date(start + Math.floor(done * step));
    const p = { ...proposal, proposal_id: randomUUID(), note };
    const requestJson = JSON.stringify({ action: 'refund_order', proposal: p, context });
    const recordedAt = now.toISOString();
    const d = decide(policy, { action: 'refund_order', proposal: p, context, now: recordedAt });
    const item = reviewItemFor(action, d, p, now);
    const review = item && { ...item, expiresAt: until.toISOString() };
    items.push({
      id: uuidv7(now.getTime()), action: 'refund_order', outcome: d.outcome, idempotencyKey: p.proposal_id, idempotencyScope: 'action', idempotencyMatch: action.idempotency.match,
      recordedAt, caller: 'prefill', requestJson, decisionJson: decisionTexts(d).record, ttlMs: until.getTime() - now.getTime(), ...(review ? { review } : {}),
    });
  }
  const results = await store.commitBatch(items);
  if (results.some((r) => r.kind !== 'created')) throw new Error('a prefilled decision was not created');
  if (done % 100_000 === 0) process.stderr.write(`${done} decisions, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
}
await store.close();
process.stdout.write(`${JSON.stringify({ file, decisions: total, seconds: (performance.now() - t0) / 1000 })}\n`);
