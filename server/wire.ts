/**
 * The wire format, as JSON Schemas: the routes validate requests with them (ajv), and
 * /openapi.json is built from the same objects, so the documentation cannot drift from the code.
 */
import { compileValidator, createAjv, type ContractError } from '../engine/contracts/validate.js';

const explain = { type: 'string', enum: ['off', 'summary', 'full'], description: 'trace level; default `summary`' };
const contract = { type: 'string', minLength: 3, maxLength: 200, description: 'the contract version the proposal is written to, such as `refund_order@1`; default the action\'s `version_from`, else its current version' };
const version = { type: ['string', 'integer'], minLength: 1, maxLength: 100, minimum: 1, description: 'the version alone, such as `1` or `"1.4.0"`; give `contract` or `version`, not both' };
const outcome = { type: 'string', enum: ['approve', 'review', 'reject'] };

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
};

export interface EvaluateBody { action: string; proposal: unknown; context?: Record<string, unknown>; contract?: string; version?: string | number; explain?: 'off' | 'summary' | 'full'; now?: string }
export interface DecideBody extends Omit<EvaluateBody, 'now'> { answerTrace?: boolean }
