/**
 * The offline demo's model: `npm run demo:model [-- --port 8788 --answers examples/model-answers.json]`.
 * A fake Messages API that answers each forced tool call from canned proposals: the first from
 * the list under the action's name, each re-ask with the next (the last one repeats), so the demo
 * shows a re-ask without a network, a key or a model. Point the adapter at it with
 * `ANTHROPIC_BASE_URL` (docs/model.md).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startFakeMessages, type FakeRequest, type Step } from './server.js';

const { values } = parseArgs({ options: { port: { type: 'string', default: '8788' }, answers: { type: 'string', default: 'examples/model-answers.json' } } });
const answers = JSON.parse(readFileSync(values.answers, 'utf8')) as Record<string, unknown[]>;

/** The n-th answer of a conversation: how many tool results (re-asks) it already holds. */
function canned(req: FakeRequest): Step {
  const action = (req.body.tool_choice?.name ?? '').replace(/^propose_/, '');
  const list = answers[action];
  if (!list?.length) return { status: 400 };
  const reasks = req.body.messages.filter((m) => Array.isArray(m.content) && m.content.some((b) => (b as { type?: string }).type === 'tool_result')).length;
  return { tool: list[Math.min(reasks, list.length - 1)] };
}

const fake = await startFakeMessages(canned, { port: Number(values.port) });
process.stderr.write(`fake Messages API on ${fake.url} (canned answers from ${values.answers}); in another shell:\n  export ANTHROPIC_BASE_URL=${fake.url} ANTHROPIC_API_KEY=offline-demo\n`);
const stop = () => void fake.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
