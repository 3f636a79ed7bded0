/**
 * `arbiter propose --action A --input FILE [--context c.json] [--instructions TEXT] [--gate URL | --dir D] [--model ID] [--attempts N] [--now ISO] [--explain off|summary|full]`:
 * asks the model (adapters/models/anthropic) for a proposal from unstructured input, has it
 * decided, and prints both. With `--gate` the gate at URL decides and records it (its key in
 * `ARBITER_KEY`); otherwise the policy in `--dir` decides it here, recording nothing. The model's
 * key is read from `ANTHROPIC_API_KEY`, and `ANTHROPIC_BASE_URL` points it elsewhere (the offline
 * demo: docs/model.md).
 */
import { readFileSync } from 'node:fs';
import { createAnthropicModel } from '../../adapters/models/anthropic/index.js';
import { ModelError, modelMember, type ActionContract, type ProposalResult } from '../../adapters/models/types.js';
import { decide, type Decision } from '../../engine/index.js';
import { routeModelFailure } from '../../gate/model-failure.js';
import { ArbiterError, createClient } from '../../server/client.js';
import { instant, number, UsageError } from '../args.js';
import { command } from '../command.js';
import { loadPolicy, readJson, selectActions, type Io } from '../io.js';
import { NOW } from '../options.js';

export const proposeCommand = command({
  name: 'propose',
  about: 'ask the model for a proposal from unstructured input, have it decided (by the gate at --gate, or here on the policy in --dir, recording nothing), and print both',
  options: {
    action: { type: 'string', value: 'A', required: true, help: 'the action to propose' },
    input: { type: 'string', value: 'FILE', required: true, help: 'the unstructured input (`-` reads standard input)' },
    context: { type: 'string', value: 'c.json', help: 'the facts the calling service supplies' },
    instructions: { type: 'string', value: 'TEXT', help: 'extra instructions for the model (never policy text)' },
    gate: { type: 'string', value: 'URL', help: 'have the gate at URL decide and record it (its key in $ARBITER_KEY)' },
    dir: { type: 'string', value: 'D', help: 'decide here on this policy repository (default: .)', },
    model: { type: 'string', value: 'ID', help: 'the model id', synopsis: false },
    attempts: { type: 'string', value: 'N', help: 'asks in all, counting re-asks with the validation errors (default: 2)', synopsis: false },
    now: { ...NOW, synopsis: false },
    explain: { type: 'string', choices: ['off', 'summary', 'full'], default: 'summary', help: 'the trace in the decision', synopsis: false },
  },
  examples: ['arbiter propose --action refund_order --input examples/refund-email.txt --context examples/refund-context.json', 'arbiter propose --action refund_order --input examples/refund-email.txt --gate http://127.0.0.1:8080'],
  async run(values, _positionals, io) {
    if (values.gate && values.dir) throw new UsageError('give --gate or --dir, not both');
    const explain = values.explain;
    const attempts = number(values.attempts, 'attempts', 2);
    if (!Number.isInteger(attempts) || attempts < 1 || attempts > 20) throw new UsageError(`--attempts is a whole number from 1 to 20, not \`${values.attempts}\``);
    const input = readText(values.input, io);
    const context = values.context ? readJson(values.context, 'context', io) as Record<string, unknown> : undefined;
    const env = io.env ?? process.env;
    const action = values.action;

    let contract: (name: string) => Promise<ActionContract> | ActionContract;
    let gate: (r: ProposalResult) => Promise<unknown>;
    if (values.gate) {
      const key = env.ARBITER_KEY;
      if (!key) throw new UsageError('--gate needs the gate\'s API key in ARBITER_KEY');
      const client = createClient({ url: values.gate, key });
      contract = async (name) => ({ action: name, schema: await client.contract(name) });
      gate = (r) => client.decide({ action, proposal: r.proposal, ...(context ? { context } : {}), explain, model: modelMember(r) });
    } else {
      const policy = loadPolicy(values.dir ?? '.', io)?.policy;
      if (!policy) return 1;
      const [compiled] = selectActions(policy, action);
      contract = () => ({ action, schema: compiled!.contract.schema, ...(compiled!.description ? { description: compiled!.description } : {}) });
      const now = instant(values.now, 'now');
      gate = (r) => {
        const d: Decision = decide(policy, { action, proposal: r.proposal, ...(context ? { context } : {}), now, explain });
        return Promise.resolve(r.ok ? d : routeModelFailure(d, modelMember(r).failure!));
      };
    }

    try {
      const model = createAnthropicModel({ contract, attempts, ...(values.model ? { model: values.model } : {}) }, env);
      const result = await model.propose({ action, input, ...(values.instructions ? { instructions: values.instructions } : {}) });
      const decision = await gate(result);
      const failure = result.ok ? {} : { failure: { code: result.code, message: result.message } };
      io.out(JSON.stringify({ proposal: result.proposal, ...failure, reports: result.reports, model: result.meta, decision }, null, 2));
      return 0;
    } catch (e) {
      if (e instanceof ModelError || e instanceof ArbiterError) {
        io.err(`arbiter propose: ${e.code}: ${e.message}`);
        return 1;
      }
      throw e;
    }
  },
});

function readText(path: string, io: Io): string {
  try {
    return path === '-' ? io.stdin() : readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read input \`${path}\`: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
