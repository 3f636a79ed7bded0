/**
 * The Anthropic adapter: one forced tool call per attempt through the Messages API
 * (`@anthropic-ai/sdk`), the result checked against the whole contract with ajv, and a re-ask
 * carrying the contract's errors as the tool's result when it does not match.
 *
 * ```ts
 * const model = createAnthropicModel({ contract: (action) => fetchContract(action) });
 * const r = await model.propose({ action: 'refund_order', input: email });
 * if (r.ok) await gate.decide({ action: 'refund_order', proposal: r.proposal, model: modelMember(r) });
 * ```
 *
 * Provider errors: the SDK retries 408, 409, 429, 5xx (529 included) and timeouts with
 * exponential backoff, waiting as long as `retry-after` (or `retry-after-ms`) asks; `deadlineMs`
 * bounds the whole call, retries and re-asks included. The API key is read from
 * `ANTHROPIC_API_KEY` only: there is no option to pass one, and nothing here logs or returns it.
 */
import Anthropic, { APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { compileValidator, createAjv, type ContractError } from '../../../engine/internal.js';
import { PROMPT_VERSION, reaskPrompt, systemPrompt, toolName, userPrompt } from '../prompt.js';
import { toolSchema } from '../tool-schema.js';
import { ModelError, type ActionContract, type ModelMeta, type ProposalModel, type ProposalResult, type ProposeInput, type ValidationReport } from '../types.js';

export interface AnthropicOptions {
  /** the contract of an action, as the gate serves it */
  contract(action: string): Promise<ActionContract> | ActionContract;
  /** default `claude-sonnet-4-5` */
  model?: string;
  /** proposals asked for before the failure goes to review (default 2: one re-ask) */
  attempts?: number;
  /** provider retries per request (default 4) */
  maxRetries?: number;
  /** per request (default 60 s) */
  timeoutMs?: number;
  /** the whole propose() call, retries and re-asks included (default 180 s) */
  deadlineMs?: number;
  maxTokens?: number;
  /** for tests and the offline demo: default `ANTHROPIC_BASE_URL`, else the SDK's */
  baseURL?: string;
  fetch?: typeof fetch;
}

export const PROVIDER = 'anthropic';
const DEFAULT_MODEL = 'claude-sonnet-4-5';

type Message = Anthropic.Messages.MessageParam;

export function createAnthropicModel(options: AnthropicOptions, env: Record<string, string | undefined> = process.env): ProposalModel {
  const apiKey = env.ANTHROPIC_API_KEY;
  if (!apiKey) throw new ModelError('model.no_key', 'ANTHROPIC_API_KEY is not set; the Anthropic adapter reads its key from the environment only');
  const attempts = options.attempts ?? 2;
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`attempts is a whole number from 1, not ${attempts}`);
  const doFetch = options.fetch ?? fetch;
  const baseURL = options.baseURL ?? env.ANTHROPIC_BASE_URL;
  /** A client per call, so its request count (retries included) is that call's alone. */
  const clientFor = (count: () => void) => new Anthropic({
    apiKey, ...(baseURL ? { baseURL } : {}), maxRetries: options.maxRetries ?? 4, timeout: options.timeoutMs ?? 60_000, logLevel: 'off',
    fetch: (url: string | URL | Request, init?: RequestInit) => { count(); return doFetch(url, init); },
  });
  // Validators by contract text: the contract is read on every call, so a policy reload that changes it is seen at once.
  const validators = new Map<string, (v: unknown) => ContractError[]>();
  const ajv = createAjv();
  const validatorOf = (schema: ActionContract['schema']) => {
    const text = JSON.stringify(schema);
    let check = validators.get(text);
    if (!check) {
      const compiled = compileValidator(ajv, schema);
      check = (value) => compiled(value, '');
      validators.set(text, check);
    }
    return check;
  };

  return {
    provider: PROVIDER,
    async propose(input: ProposeInput): Promise<ProposalResult> {
      const contract = await options.contract(input.action);
      const check = validatorOf(contract.schema);
      const name = toolName(input.action);
      const { schema } = toolSchema(contract.schema);
      const tool = { name, description: `propose \`${input.action}\`${contract.description ? `: ${contract.description}` : ''}`, input_schema: schema as Anthropic.Messages.Tool.InputSchema };
      const signal = AbortSignal.timeout(options.deadlineMs ?? 180_000);
      const started = performance.now();
      let requests = 0;
      const client = clientFor(() => { requests++; });
      const meta: ModelMeta = { provider: PROVIDER, model: options.model ?? DEFAULT_MODEL, promptVersion: PROMPT_VERSION, attempts: 0, requests: 0, usage: { inputTokens: 0, outputTokens: 0 }, latencyMs: 0 };
      const finish = () => ({ ...meta, requests, latencyMs: Math.round(performance.now() - started) });
      const messages: Message[] = [{ role: 'user', content: userPrompt(input) }];
      const reports: ValidationReport[] = [];
      let proposal: unknown = null;
      for (let attempt = 1; attempt <= attempts; attempt++) {
        const res = await ask(client, signal, {
          model: options.model ?? DEFAULT_MODEL, max_tokens: options.maxTokens ?? 1024, system: systemPrompt(contract, input.instructions),
          messages, tools: [tool], tool_choice: { type: 'tool', name },
        });
        meta.attempts = attempt;
        meta.model = res.model;
        meta.usage.inputTokens += res.usage.input_tokens;
        meta.usage.outputTokens += res.usage.output_tokens;
        if (res.stop_reason === 'refusal') throw new ModelError('model.refused', 'the model declined to propose', 200);
        const call = res.content.find((b): b is Anthropic.Messages.ToolUseBlock => b.type === 'tool_use' && b.name === name);
        proposal = call ? call.input : null;
        const errors = call ? check(proposal) : [{ code: 'model.no_tool_call', pointer: '', message: `the answer has no call of \`${name}\` (stop reason \`${res.stop_reason ?? 'none'}\`)` }];
        reports.push({ attempt, proposal, errors });
        if (errors.length === 0) return { ok: true, proposal, meta: finish(), reports };
        // The answer goes back as it came, with the errors as the tool's result: the model sees what it sent and what was wrong.
        messages.push({ role: 'assistant', content: res.content.map(echo) });
        messages.push({ role: 'user', content: call ? [{ type: 'tool_result', tool_use_id: call.id, is_error: true, content: reaskPrompt(errors) }] : reaskPrompt(errors) });
      }
      return {
        ok: false, code: 'model.invalid_proposal', proposal, meta: finish(), reports,
        message: `the model gave no proposal that matches the contract of \`${input.action}\` in ${attempts} attempt${attempts === 1 ? '' : 's'}`,
      };
    },
  };
}

/** A block of an answer, as a block of the next request: only the members the API takes back. */
function echo(b: Anthropic.Messages.ContentBlock): Anthropic.Messages.ContentBlockParam {
  if (b.type === 'tool_use') return { type: 'tool_use', id: b.id, name: b.name, input: b.input };
  if (b.type === 'text') return { type: 'text', text: b.text };
  return { type: 'text', text: `[${b.type}]` };
}

async function ask(client: Anthropic, signal: AbortSignal, body: Anthropic.Messages.MessageCreateParamsNonStreaming): Promise<Anthropic.Messages.Message> {
  try {
    return await client.messages.create(body, { signal });
  } catch (e) {
    if (e instanceof APIUserAbortError || signal.aborted) throw new ModelError('model.deadline', 'the model did not answer before the deadline, retries included', undefined, e);
    if (e instanceof APIError) {
      const retryable = e.status === undefined || e.status === 408 || e.status === 409 || e.status === 429 || e.status >= 500;
      throw new ModelError(retryable ? 'model.unavailable' : 'model.refused', `the provider answered ${e.status ?? 'nothing'}: ${e.message}`, e.status, e);
    }
    throw e;
  }
}
