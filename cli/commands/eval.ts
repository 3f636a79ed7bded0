/**
 * `arbiter eval --action A --proposal p.json [--context c.json] [--contract id@v | --version v] [--now ISO] [--explain off|summary|full] [--format json|pretty] [--dir D]`:
 * decide one proposal and print the decision. The contract version is selected as the gate
 * selects it: `--contract` or `--version`, else the action's `version_from`, else its current one.
 */
import { decide, renderDecision } from '../../engine/index.js';
import { command } from '../command.js';
import { loadPolicy, readJson } from '../io.js';
import { DIR } from '../options.js';

export const evalCommand = command({
  name: 'eval',
  about: 'decide one proposal (`-` reads standard input), read as the contract version given, else the action\'s `version_from`, else its current one',
  options: {
    action: { type: 'string', value: 'A', required: true, help: 'the action, as the registry names it' },
    proposal: { type: 'string', value: 'p.json', required: true, help: 'the proposal, a JSON file (`-`: standard input)' },
    context: { type: 'string', value: 'c.json', help: 'the context, a JSON file' },
    contract: { type: 'string', value: 'id@v', help: 'read the proposal as this contract version' },
    version: { type: 'string', value: 'v', help: 'read the proposal as this version of the action\'s contract' },
    now: { type: 'string', value: 'ISO', help: 'the time rules see as `now`, RFC 3339 (default: the current time)' },
    explain: { type: 'string', choices: ['off', 'summary', 'full'], default: 'summary', help: 'how much of the trace to include' },
    format: { type: 'string', choices: ['json', 'pretty'], default: 'json', help: '`json`: the decision as the gate returns it; `pretty`: for people' },
    dir: DIR,
  },
  examples: ['arbiter eval --action refund_order --proposal proposal.json --context context.json --explain full --format pretty'],
  run(values, _positionals, io) {
    const { explain, format } = values;
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
  },
});
