/**
 * `arbiter eval --action A --proposal p.json [--context c.json] [--contract id@v | --version v] [--now ISO] [--explain off|summary|full] [--format json|pretty] [--dir D]`:
 * decide one proposal and print the decision. The contract version is selected as the gate
 * selects it: `--contract` or `--version`, else the action's `version_from`, else its current one.
 */
import { decide, renderDecision } from '../../engine/index.js';
import { choice, parse, UsageError } from '../args.js';
import { loadPolicy, readJson, type Io } from '../io.js';

export const usage = 'arbiter eval --action A --proposal p.json [--context c.json] [--contract id@v | --version v] [--now ISO] [--explain off|summary|full] [--format json|pretty] [--dir D]';

export function evalCommand(argv: string[], io: Io): number {
  const { values } = parse(argv, {
    dir: { type: 'string', default: '.' }, action: { type: 'string' }, proposal: { type: 'string' }, context: { type: 'string' },
    contract: { type: 'string' }, version: { type: 'string' }, now: { type: 'string' }, explain: { type: 'string' }, format: { type: 'string' },
  });
  if (!values.action || !values.proposal) throw new UsageError('--action and --proposal are required');
  const explain = choice(values.explain, 'explain', ['off', 'summary', 'full'] as const, 'summary');
  const format = choice(values.format, 'format', ['json', 'pretty'] as const, 'json');
  const policy = loadPolicy(values.dir, io)?.policy;
  if (!policy) return 1;
  const proposal = readJson(values.proposal, 'proposal', io);
  const context = values.context ? readJson(values.context, 'context', io) : undefined;
  const decision = decide(policy, {
    action: values.action, proposal, ...(context !== undefined ? { context } : {}),
    ...(values.contract !== undefined ? { contract: values.contract } : {}), ...(values.version !== undefined ? { version: values.version } : {}),
    now: values.now ?? new Date().toISOString(), explain,
  });
  io.out(format === 'pretty' ? renderDecision(decision) : JSON.stringify(decision, null, 2));
  return 0;
}
