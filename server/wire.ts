/**
 * The wire format, as JSON Schemas: the routes validate requests with them (ajv), and
 * /openapi.json is built from the same objects, so the documentation cannot drift from the code.
 */
import { compileValidator, createAjv, type ContractError } from '../engine/internal.js';
import type { ModelFailure } from '../gate/model-failure.js';

const explain = { type: 'string', enum: ['off', 'summary', 'full'], description: 'trace level; default `summary`' };
const contract = { type: 'string', minLength: 3, maxLength: 200, description: 'the contract version the proposal is written to, such as `refund_order@1`; default the action\'s `version_from`, else its current version' };
const version = { type: ['string', 'integer'], minLength: 1, maxLength: 100, minimum: 1, description: 'the version alone, such as `1` or `"1.4.0"`; give `contract` or `version`, not both' };
const outcome = { type: 'string', enum: ['approve', 'review', 'reject'] };
const proposalHash = { type: 'string', pattern: '^[\x21-\x7e]{1,200}$', description: 'the `proposalHash` of the review as the reviewer saw it' };
const count = (max: number) => ({ type: 'integer', minimum: 0, maximum: max });
const text = (max: number) => ({ type: 'string', maxLength: max });
/** What a model adapter sends with its proposal (adapters/models/types.ts); the record keeps it with the request. */
const model = {
  type: 'object', additionalProperties: false, required: ['provider', 'model', 'promptVersion', 'attempts'],
  description: 'who proposed: provider, model id, prompt version, attempts, requests, token usage and latency; with `failure` when no attempt matched the contract (the decision is then a review that must be edited, see docs/model.md)',
  properties: {
    provider: { type: 'string', minLength: 1, maxLength: 100 }, model: { type: 'string', minLength: 1, maxLength: 200 }, promptVersion: { type: 'string', minLength: 1, maxLength: 100 },
    attempts: { type: 'integer', minimum: 1, maximum: 20 }, requests: count(1000), latencyMs: { type: 'number', minimum: 0, maximum: 86_400_000 },
    usage: { type: 'object', additionalProperties: false, required: ['inputTokens', 'outputTokens'], properties: { inputTokens: count(1e9), outputTokens: count(1e9) } },
    failure: {
      type: 'object', additionalProperties: false, required: ['code', 'reports'],
      properties: {
        code: { type: 'string', enum: ['model.invalid_proposal'] }, message: text(1000),
        reports: {
          type: 'array', minItems: 1, maxItems: 20,
          items: {
            type: 'object', additionalProperties: false, required: ['attempt', 'errors'],
            properties: {
              attempt: { type: 'integer', minimum: 1, maximum: 20 }, proposal: { description: 'what the model proposed in this attempt' },
              errors: { type: 'array', maxItems: 200, items: { type: 'object', additionalProperties: false, required: ['code', 'pointer', 'message'], properties: { code: text(100), pointer: text(1000), message: text(1000) } } },
            },
          },
        },
      },
    },
  },
};
const reviewReason = {
  type: 'object', additionalProperties: false,
  properties: { code: { type: 'string', maxLength: 40, description: 'a preset of the action\'s `review.reasons`' }, text: { type: 'string', maxLength: 1000 } },
};

export const schemas = {
  DecideRequest: {
    type: 'object', additionalProperties: false, required: ['action', 'proposal'],
    properties: {
      action: { type: 'string', minLength: 1, maxLength: 100, description: 'an action of the policy, such as `refund_order`' },
      proposal: { description: 'the proposal, checked against the action\'s contract' },
      context: { type: 'object', description: 'facts the calling service owns, checked against the action\'s context contract' },
      contract,
      version,
      explain,
      answerTrace: { type: 'boolean', description: '`false` leaves the trace out of this answer; the record keeps it (GET /v1/decisions/:id). Default `true`' },
      model,
    },
  },
  EvaluateRequest: {
    type: 'object', additionalProperties: false, required: ['action', 'proposal'],
    properties: {
      action: { type: 'string', minLength: 1, maxLength: 100 },
      proposal: {},
      context: { type: 'object' },
      contract,
      version,
      explain,
      now: { type: 'string', format: 'date-time', description: 'evaluation time; default the server clock' },
    },
  },
  ListQuery: {
    type: 'object', additionalProperties: false,
    properties: {
      action: { type: 'string', maxLength: 100, pattern: '^[^\\u0000-\\u001f\\u007f]*$' },
      outcome,
      since: { type: 'string', format: 'date-time' },
      cursor: { type: 'string', pattern: '^[0-9]{1,15}$' },
      limit: { type: 'string', pattern: '^[0-9]{1,3}$' },
    },
  },
  Reason: {
    type: 'object', required: ['kind', 'outcome', 'message'],
    properties: { kind: { type: 'string', enum: ['contract', 'rule', 'unknown', 'error', 'risk', 'default'] }, rule: { type: 'string' }, outcome, message: { type: 'string' } },
  },
  Decision: {
    type: 'object',
    required: ['id', 'action', 'outcome', 'reasons', 'fired', 'risk', 'errors', 'shadow', 'revision', 'contract', 'receivedContract', 'context', 'engine', 'now', 'recordedAt', 'replayed'],
    properties: {
      id: { type: 'string', description: 'decision id (UUID v7)' },
      action: { type: 'string' },
      outcome,
      reasons: { type: 'array', items: { $ref: '#/components/schemas/Reason' } },
      fired: {
        type: 'object', required: ['enforce', 'shadow'], description: 'ids of every rule whose condition held, in policy order, by mode',
        properties: { enforce: { type: 'array', items: { type: 'string' } }, shadow: { type: 'array', items: { type: 'string' } } },
      },
      risk: { type: 'object', required: ['score', 'tier', 'signals'], properties: { score: { type: 'number' }, tier: { type: 'string' }, signals: { type: 'array' } } },
      errors: { type: 'array', items: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, pointer: { type: 'string' }, rule: { type: 'string' } } } },
      shadow: { type: 'object', required: ['outcome', 'reasons'], properties: { outcome, reasons: { type: 'array' } } },
      revision: { type: 'string', description: 'content hash of the policy that decided' },
      contract: { type: 'string', description: 'the proposal contract id@version the rules saw: the action\'s current one' },
      receivedContract: { type: 'string', description: 'the proposal contract id@version the request was sent as; an older one is upgraded to `contract`' },
      context: { type: ['string', 'null'], description: 'context contract id@version' },
      engine: { type: 'string' },
      now: { type: 'string' },
      trace: { type: 'object', description: 'absent with `explain: off`, and from an answer asked for with `answerTrace: false`; see docs/decisions.md' },
      recordedAt: { type: 'string' },
      replayed: { type: 'boolean', description: 'true when this is the first decision for the same idempotency key and payload' },
      idempotencyKey: { type: ['string', 'null'] },
    },
  },
  VerdictRequest: {
    type: 'object', additionalProperties: false, required: ['proposalHash'],
    properties: { proposalHash: proposalHash, reason: reviewReason },
  },
  EditRequest: {
    type: 'object', additionalProperties: false, required: ['proposalHash', 'changes'],
    properties: {
      proposalHash: proposalHash,
      changes: { type: 'object', description: 'the proposal members to change, as a JSON merge patch (`null` removes a member)' },
      reason: reviewReason,
    },
  },
  ExtendRequest: {
    type: 'object', additionalProperties: false, required: ['proposalHash', 'by'],
    properties: { proposalHash: proposalHash, by: { type: 'string', maxLength: 20, description: 'a duration added to the expiry, such as `4h`; at most `7d`' } },
  },
  BatchRequest: {
    type: 'object', additionalProperties: false, required: ['verdict', 'items'],
    properties: {
      verdict: { type: 'string', enum: ['approve', 'reject'] },
      items: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'object', additionalProperties: false, required: ['id', 'proposalHash'], properties: { id: { type: 'string', maxLength: 128 }, proposalHash: proposalHash } } },
      reason: reviewReason,
    },
  },
  ReviewQuery: {
    type: 'object', additionalProperties: false,
    properties: {
      status: { type: 'string', enum: ['pending', 'closed'], description: 'default `pending`' },
      queue: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
      action: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,99}$' },
      tier: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
      rule: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,200}$' },
      older_than: { type: 'string', pattern: '^[0-9]{1,6}[smhd]$', description: 'only items waiting at least this long, such as `1h`' },
      limit: { type: 'string', pattern: '^[0-9]{1,4}$', description: '1–1000, default 100' },
      offset: { type: 'string', pattern: '^[0-9]{1,7}$' },
    },
  },
  Error: {
    type: 'object', required: ['error'],
    properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} } } },
  },
} as const;

const ajv = createAjv();

export type Check = (value: unknown) => ContractError[];

function check(schema: object): Check {
  const v = compileValidator(ajv, schema);
  return (value) => v(value, '');
}

export const validate = {
  decide: check(schemas.DecideRequest),
  evaluate: check(schemas.EvaluateRequest),
  listQuery: check(schemas.ListQuery),
  verdict: check(schemas.VerdictRequest),
  edit: check(schemas.EditRequest),
  extend: check(schemas.ExtendRequest),
  batch: check(schemas.BatchRequest),
  reviewQuery: check(schemas.ReviewQuery),
};

export interface EvaluateBody { action: string; proposal: unknown; context?: Record<string, unknown>; contract?: string; version?: string | number; explain?: 'off' | 'summary' | 'full'; now?: string }
export interface DecideBody extends Omit<EvaluateBody, 'now'> { answerTrace?: boolean; model?: { failure?: ModelFailure } }
