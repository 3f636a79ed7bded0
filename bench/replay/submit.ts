/**
 * Submits example proposals to a running gate, so a fresh clone has a decision log to replay:
 *
 *   node dist/bench/replay/submit.js --url http://127.0.0.1:8787 --key $KEY [--count 300] [--seed 1] [--dir .]
 *
 * The requests come from the policy's contracts (bench/replay/requests.ts); the decisions are
 * recorded by the gate like any other. Prints the outcomes per action.
 */
import { parseArgs } from 'node:util';
import { loadPolicyFiles } from '../../adapters/loaders/fs.js';
import { compilePolicy, formatDiagnostic } from '../../engine/index.js';
import { createClient } from '../../server/client.js';
import { exampleRequests } from './requests.js';

const { values } = parseArgs({ options: {
  url: { type: 'string', default: 'http://127.0.0.1:8787' }, key: { type: 'string', default: process.env.ARBITER_KEY },
  count: { type: 'string', default: '300' }, seed: { type: 'string', default: '1' }, dir: { type: 'string', default: '.' },
} });
if (!values.key) throw new Error('give the key the gate printed: --key KEY (or ARBITER_KEY)');
const compiled = compilePolicy(loadPolicyFiles(values.dir));
if (!compiled.ok) throw new Error(compiled.diagnostics.map(formatDiagnostic).join('\n'));
const client = createClient({ url: values.url, key: values.key });
const requests = exampleRequests(compiled.policy, Number(values.count), Number(values.seed), new Date().toISOString());
const tally = new Map<string, Record<string, number>>();
// A few at a time: the gate commits concurrent decisions together.
let next = 0;
async function worker(): Promise<void> {
  while (next < requests.length) {
    const r = requests[next++]!;
    const d = await client.decide({ action: r.action, proposal: r.proposal, ...(r.context ? { context: r.context } : {}) });
    const t = tally.get(r.action) ?? {};
    t[d.outcome] = (t[d.outcome] ?? 0) + 1;
    tally.set(r.action, t);
  }
}
await Promise.all(Array.from({ length: 8 }, worker));
for (const [action, t] of tally) process.stdout.write(`${action.padEnd(24)} ${Object.entries(t).map(([o, n]) => `${o} ${n}`).join(', ')}\n`);
process.stdout.write(`submitted ${requests.length} proposals to ${values.url}\n`);
