/**
 * The port a model provider fills: turn unstructured input into one proposal for one action,
 * within that action's contract. Swapping the provider touches this folder only: the engine and
 * the policy never learn which model proposed.
 *
 * What crosses the port is deliberately narrow. The model sees the action's name, its contract as
 * a tool definition, the caller's instructions and the input; never the policy's rules, reasons
 * or thresholds. What comes back is data checked against the contract, never text the gate reads
 * as policy.
 */
import type { ContractError } from '../../engine/internal.js';

export interface ProposeInput {
  /** the action to propose, such as `refund_order` */
  action: string;
  /** the unstructured input: an email, a ticket, a chat turn */
  input: string;
  /** what the caller adds to the task (house style, what to leave out); never policy text */
  instructions?: string;
}

/** What a provider call cost and who answered; recorded with the decision. */
export interface ModelMeta {
  provider: string;
  /** the model id the provider answered with */
  model: string;
  /** the version of the prompt text (adapters/models/prompt.ts) */
  promptVersion: string;
  /** proposals asked for: 1, or more after re-asks */
  attempts: number;
  /** HTTP requests sent, provider retries included */
  requests: number;
  usage: { inputTokens: number; outputTokens: number };
  latencyMs: number;
}

/** One attempt's proposal and what the contract said about it. */
export interface ValidationReport {
  attempt: number;
  proposal: unknown;
  errors: ContractError[];
}

/** The proposal is valid against the contract: the gate decides it. */
export interface Proposed { ok: true; proposal: unknown; meta: ModelMeta; reports: ValidationReport[] }

/**
 * Every attempt broke the contract. The gate records it and routes it to review with the reports
 * (gate/model-failure.ts); the last proposal goes with it, for a reviewer to edit.
 */
export interface ProposalFailed { ok: false; code: 'model.invalid_proposal'; message: string; proposal: unknown; meta: ModelMeta; reports: ValidationReport[] }

export type ProposalResult = Proposed | ProposalFailed;

/** The contract a proposal is written to, as the gate serves it (GET /v1/contracts/:action). */
export interface ActionContract {
  action: string;
  /** the action's description from the registry, if any */
  description?: string;
  schema: Readonly<Record<string, unknown>>;
}

export interface ProposalModel {
  readonly provider: string;
  propose(input: ProposeInput): Promise<ProposalResult>;
}

/**
 * The provider could not be asked: out of retries or past the deadline, refused the request, or
 * answered with no tool call. Nothing was proposed, so nothing reaches the gate.
 */
export class ModelError extends Error {
  constructor(readonly code: 'model.no_key' | 'model.unavailable' | 'model.refused' | 'model.deadline', message: string, readonly status?: number, cause?: unknown) {
    super(message, { cause });
    this.name = 'ModelError';
  }
}

/** The `model` member of a decide request: the metadata, and for a failure what every attempt broke. */
export interface ModelMember extends ModelMeta {
  failure?: { code: ProposalFailed['code']; message: string; reports: ValidationReport[] };
}

export function modelMember(r: ProposalResult): ModelMember {
  return r.ok ? r.meta : { ...r.meta, failure: { code: r.code, message: r.message, reports: r.reports } };
}
