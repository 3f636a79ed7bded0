/**
 * /openapi.json: the API described from the schemas in wire.ts and the error catalogue, with every
 * contract the policy serves embedded as a component and each action's request typed with it, so
 * a generator in any language makes a typed client (`arbiter types` does it for TypeScript).
 */
import { ENGINE_VERSION, type CompiledAction, type CompiledPolicy } from '../engine/index.js';
import type { ContractUse } from '../engine/internal.js';
import { HTTP_ERRORS } from './errors.js';
import { schemas } from './wire.js';

const json = (ref: string) => ({ content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
const error = (...codes: (keyof typeof HTTP_ERRORS)[]) => Object.fromEntries(
  [...new Set(codes.map((c) => HTTP_ERRORS[c].status))].map((status) => [String(status), {
    description: codes.filter((c) => HTTP_ERRORS[c].status === status).map((c) => `\`${c}\`: ${HTTP_ERRORS[c].about}`).join('; '),
    ...json('Error'),
  }]));
const common = ['unauthorized', 'forbidden', 'rate_limited', 'internal_error'] as const;
const body = ['malformed_json', 'string_too_long', 'nesting_too_deep', 'number_out_of_range', 'invalid_request', 'payload_too_large', 'unsupported_media_type'] as const;
const query = (name: string, description: string) => ({ name, in: 'query', required: false, description, schema: (schemas.ListQuery.properties as Record<string, object>)[name] });

const id = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const verdict = (summary: string, request: keyof typeof schemas, ...codes: (keyof typeof HTTP_ERRORS)[]) => ({
  post: {
    summary: `${summary} (scope \`review:<queue>\`)`, parameters: [id], requestBody: { required: true, ...json(request) },
    responses: { 200: { description: '`{ review }` (an edit adds `next`, the new decision)' },
      ...error(...body, ...codes, 'not_found', 'self_review', 'proposal_changed', 'already_decided', 'review_expired', 'store_unavailable', ...common) },
  },
});

/** `refund_order@2` → `RefundOrderV2`, `tier_upgrade@1.4.0` → `TierUpgradeV1_4_0`: a component name, and the namespace `arbiter types` writes. */
export function contractTypeName(use: Pick<ContractUse, 'id' | 'version'>): string {
  const id = use.id.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  return `${/^[0-9]/.test(id) ? `C${id}` : id}V${use.version.replace(/[^A-Za-z0-9]/g, '_')}`;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** A contract as a component: its own `#…` references rebased onto the component, where they now sit. */
function component(use: ContractUse): unknown {
  const at = `#/components/schemas/${contractTypeName(use)}`;
  const rebase = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(rebase);
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === '$ref' && typeof x === 'string' && x.startsWith('#') ? `${at}${x.slice(1)}` : rebase(x)]));
  };
  return rebase(use.schema);
}

/** `DecideRequest.refund_order`: the wire schema with the action fixed and its proposal and context typed by its contracts. */
function actionRequest(base: typeof schemas.DecideRequest | typeof schemas.EvaluateRequest, a: CompiledAction): object {
  const versions = [...a.versions.values()].map((v) => ref(contractTypeName(v.use)));
  return {
    ...base,
    properties: {
      ...base.properties,
      action: { const: a.name },
      proposal: { description: `a proposal to \`${a.contract.ref}\`, or to the served version \`contract\` or \`version\` names`, ...(versions.length === 1 ? versions[0] : { anyOf: versions }) },
      ...(a.context ? { context: ref(contractTypeName(a.context)) } : {}),
    },
  };
}

/** The request body of `path`: one of the actions' requests, told apart by `action`. */
function byAction(policy: CompiledPolicy, request: 'DecideRequest' | 'EvaluateRequest') {
  const names = [...policy.actions.keys()].map((a) => [a, `${request}.${a}`] as const);
  return { content: { 'application/json': { schema: {
    oneOf: names.map(([, n]) => ref(n)),
    discriminator: { propertyName: 'action', mapping: Object.fromEntries(names.map(([a, n]) => [a, `#/components/schemas/${n}`])) },
  } } } };
}

export function openApi(policy: CompiledPolicy): object {
  const actions = [...policy.actions.values()];
  const contracts = actions.flatMap((a) => [...[...a.versions.values()].map((v) => v.use), ...(a.context ? [a.context] : [])]);
  return {
    openapi: '3.1.0',
    info: { title: 'Arbiter gate', version: ENGINE_VERSION, description: `Approve, reject or send to review the actions proposed by AI models; every decision durable and hash-chained. Policy revision \`${policy.revision}\`.` },
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: '`Authorization: Bearer arb_<id>_<secret>` (or `X-Api-Key`)' } },
      schemas: {
        ...schemas,
        ...Object.fromEntries(contracts.map((u) => [contractTypeName(u), component(u)])),
        ...Object.fromEntries(actions.flatMap((a) => [[`DecideRequest.${a.name}`, actionRequest(schemas.DecideRequest, a)], [`EvaluateRequest.${a.name}`, actionRequest(schemas.EvaluateRequest, a)]])),
      },
    },
    security: [{ apiKey: [] }],
    paths: {
      '/v1/decisions': {
        post: {
          summary: 'Decide a proposal and record the decision (scope `decide:<action>`)',
          parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 200 }, description: 'used when the action names no idempotency key in its proposal' }],
          requestBody: { required: true, ...byAction(policy, 'DecideRequest') },
          responses: { 200: { description: 'the decision, durable; a replay of the first decision when the key and payload were seen before', ...json('Decision') },
            ...error(...body, 'invalid_idempotency_key', 'unknown_action', 'idempotency_conflict', 'store_unavailable', ...common) },
        },
        get: {
          summary: 'List recorded decisions, newest first (scope `read`)',
          parameters: [query('action', 'only this action'), query('outcome', 'only this outcome'), query('since', 'recorded at or after'), query('cursor', 'the `next` of the previous page'), query('limit', '1–500, default 50')],
          responses: { 200: { description: '`{ items, next }`' }, ...error('invalid_request', 'store_unavailable', ...common) },
        },
      },
      '/v1/decisions/{id}': {
        get: {
          summary: 'One recorded decision, with its request (scope `read`)',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 200: { description: 'the decision', ...json('Decision') }, ...error('not_found', 'store_unavailable', ...common) },
        },
      },
      '/v1/reviews': {
        get: {
          summary: 'Review items of the queues the key may review: pending by time left, then risk; or closed, newest first (scope `review:<queue>`)',
          parameters: Object.entries(schemas.ReviewQuery.properties).map(([name, schema]) => ({ name, in: 'query', required: false, schema, ...('description' in schema ? { description: schema.description } : {}) })),
          responses: { 200: { description: '`{ items, next }`' }, ...error('invalid_request', 'store_unavailable', ...common) },
        },
      },
      '/v1/reviews/stats': { get: { summary: 'Pending per queue, median time to decide and approval rate by rule over the last 500 closed items (scope `review:<queue>`)', responses: { 200: { description: 'the strip of the review page' }, ...error(...common) } } },
      '/v1/reviews/{id}': { get: { summary: 'One review item: the exact request, its decision and trace, the contract, the effect preview, presets and earlier reviews of the same entity', parameters: [id], responses: { 200: { description: 'the item' }, ...error('not_found', ...common) } } },
      '/v1/reviews/{id}/approve': verdict('Approve a pending item; one whose proposal breaks its contract (`model.invalid_proposal`) is edited or rejected instead', 'VerdictRequest', 'not_approvable'),
      '/v1/reviews/{id}/reject': verdict('Reject a pending item; `reason.code` (a preset of the action) or `reason.text` is required', 'VerdictRequest', 'invalid_reason'),
      '/v1/reviews/{id}/edit': verdict('Close the item as `edited` and record the changed proposal, decided again by the policy', 'EditRequest'),
      '/v1/reviews/{id}/extend': verdict('Add time to a pending item (an audited record)', 'ExtendRequest'),
      '/v1/reviews/batch': {
        post: {
          summary: 'Approve or reject several items, each re-checked and answered on its own; approval only for one action, risk at most `medium`, never `financial`',
          requestBody: { required: true, ...json('BatchRequest') },
          responses: { 200: { description: '`{ items: [{ id, ok, review } | { id, ok: false, error }] }`' }, ...error(...body, 'batch_refused', 'store_unavailable', ...common) },
        },
      },
      '/v1/deliveries': {
        get: {
          summary: 'Outbox events, newest first; `status=dead` is the dead-letter queue (scope `deliveries`)',
          parameters: ['status', 'action', 'limit', 'offset'].map((name) => ({ name, in: 'query', schema: { type: 'string' } })),
          responses: { 200: { description: '`{ items, next }`' }, ...error('invalid_request', ...common) },
        },
      },
      '/v1/deliveries/{id}': {
        get: { summary: 'One event: its body and every attempt (status, latency, error)', parameters: [id], responses: { 200: { description: 'the event' }, ...error('not_found', ...common) } },
        delete: { summary: 'Purge a dead letter (a record of the decision log)', parameters: [id], responses: { 200: { description: '`{ delivery }`' }, ...error('not_found', 'delivery_not_dead', 'store_unavailable', ...common) } },
      },
      '/v1/deliveries/{id}/replay': {
        post: { summary: 'Send a dead letter again, with the same body and idempotency key (a record of the decision log)', parameters: [id], responses: { 200: { description: '`{ delivery }`' }, ...error('not_found', 'delivery_not_dead', 'store_unavailable', ...common) } },
      },
      '/v1/exceptions': {
        post: {
          summary: 'Grant an exception: a YAML exception\'s members without `granted_by`, plus `action`; compiled with the served policy, recorded in the decision log, then served (scope `exceptions`)',
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
          responses: { 201: { description: '`{ exception, revision }`' }, ...error(...body, 'invalid_exception', 'exception_expired', 'exception_exists', 'store_unavailable', ...common) },
        },
        get: { summary: 'Every exception of the served policy, YAML and granted, active, expired or set aside, with its source (scope `exceptions`)', responses: { 200: { description: '`{ items }`' }, ...error(...common) } },
      },
      '/v1/exceptions/{id}': {
        delete: { summary: 'Revoke a granted exception (a record of the decision log)', parameters: [id], responses: { 200: { description: '`{ exception, revision }`' }, ...error('not_found', 'store_unavailable', ...common) } },
      },
      '/v1/evaluate': {
        post: {
          summary: 'Decide without recording anything: a dry run, with an optional `now` (scope `evaluate`)',
          requestBody: { required: true, ...byAction(policy, 'EvaluateRequest') },
          responses: { 200: { description: 'the decision (no id; nothing recorded)' }, ...error(...body, 'unknown_action', ...common) },
        },
      },
      '/v1/contracts/{action}': { get: { summary: 'The JSON Schema of the action\'s proposal contract, for constrained decoding', parameters: [{ name: 'action', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'a JSON Schema 2020-12 document' }, ...error('unknown_action', ...common) } } },
      '/v1/contracts/{action}/{version}': { get: { summary: 'A given version of the action\'s contract', parameters: [{ name: 'action', in: 'path', required: true, schema: { type: 'string' } }, { name: 'version', in: 'path', required: true, schema: { type: 'integer' } }], responses: { 200: { description: 'a JSON Schema 2020-12 document' }, ...error('unknown_action', 'unknown_contract_version', ...common) } } },
      '/v1/policy': { get: { summary: 'The policy being served: revision, actions, contract versions, last reload (scope `read`)', responses: { 200: { description: 'policy status' }, ...error(...common) } } },
      '/v1/policy/reload': { post: { summary: 'Recompile the policy, run its test cases, and swap it in if both pass (scope `admin`); the shadow policy too, when one runs', responses: { 200: { description: '`{ ok, at, revision, candidate, stage, cases, errors, shadow? }`' }, ...error(...common) } } },
      '/v1/policy/shadow': { get: { summary: 'How the shadow policy (`--shadow-dir`) decided otherwise than the live one since the gate started, with recent examples (scope `read`)', responses: { 200: { description: '`{ dir, revision, lastReload, since, compared, diverged, divergences }`' }, ...error(...common, 'not_found') } } },
      '/healthz': { get: { summary: 'Liveness', security: [], responses: { 200: { description: 'the process is up' } } } },
      '/readyz': { get: { summary: 'Readiness: the store could commit now (a write probe, rolled back) and the gate is not shutting down', security: [], responses: { 200: { description: 'ready' }, ...error('store_unavailable') } } },
      '/metrics': { get: { summary: 'Prometheus metrics', security: [], responses: { 200: { description: 'text exposition format' } } } },
    },
  };
}
