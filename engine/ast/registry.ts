/** Parses `rules.registry.yaml`: which actions exist, their contracts, rule files and settings. */
import type { Diagnostics, SourceLoc } from '../errors.js';
import { isScalarNode, locOf, readEnum, readMap, readSeq, readString, readStrings, scalar, type At, type Entry } from '../source/yaml.js';
import { SIDE_EFFECTS, type ActionAst, type ContractRef, type DeliverySettings, type IdempotencyAst, type RegistryAst, type ReviewSettings, type VersionFromAst } from './types.js';

const TOP_KEYS = ['version', 'actions'] as const;
const ACTION_KEYS = ['description', 'contract', 'accepts', 'version_from', 'context', 'rules', 'side_effects', 'idempotency', 'idempotency_key', 'default',
  'on_unknown', 'on_error', 'review', 'deliver', 'owners', 'exceptions'] as const;
const DELIVER_KEYS = ['url', 'url_env', 'secret_env', 'timeout', 'max_attempts', 'fallback'] as const;
const FALLBACK_KEYS = ['url', 'url_env'] as const;
const ENV_NAME = /^[A-Z_][A-Z0-9_]{0,127}$/;
const REVIEW_KEYS = ['queue', 'expires_after', 'on_expiry', 'reasons', 'self_review', 'entity', 'preview'] as const;
const REASON_CODE = /^[a-z][a-z0-9_]{0,39}$/;
const IDEMPOTENCY_KEYS = ['key', 'scope', 'match'] as const;
const VERSION_FROM_KEYS = ['pointer', 'values'] as const;
/** A contract version: an integer from 1, or a semantic version (`1.4.0`, `2.0.0-rc.1`). */
export const VERSION = /^(?:[1-9][0-9]*|(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)$/;
const CONTRACT_REF = new RegExp(`^([a-z][a-z0-9_]*)@(${VERSION.source.slice(1, -1)})$`);
const ACTION_NAME = /^[a-z][a-z0-9_]*$/;

export function parseRegistry(root: At, diags: Diagnostics): RegistryAst | undefined {
  const top = readMap(root, 'the registry', diags, TOP_KEYS, ['version', 'actions']);
  if (!top) return undefined;
  const version = top.get('version');
  if (version && scalar(version.value)?.value !== 1) diags.error('invalid_value', 'registry `version` must be 1', locOf(version.value));
  const actionsEntry = top.get('actions');
  const actions: ActionAst[] = [];
  const map = actionsEntry && readMap(actionsEntry.value, '`actions`', diags);
  for (const [name, entry] of map ?? []) {
    if (!ACTION_NAME.test(name)) {
      diags.error('invalid_value', `action name \`${name}\` must be lowercase letters, digits and underscores`, locOf(entry.keyAt));
      continue;
    }
    const action = parseAction(name, entry.value, locOf(entry.keyAt), diags);
    if (action) actions.push(action);
  }
  return { path: root.file.path, actions };
}

function parseAction(name: string, a: At, loc: ActionAst['loc'], diags: Diagnostics): ActionAst | undefined {
  const m = readMap(a, `action \`${name}\``, diags, ACTION_KEYS, ['contract', 'rules', 'side_effects', 'default']);
  if (!m) return undefined;
  const contract = m.get('contract') && contractRef(m.get('contract')!.value, diags);
  const acceptsAt = m.get('accepts');
  const acceptsItems = acceptsAt && (isScalarNode(acceptsAt.value) ? [acceptsAt.value] : readSeq(acceptsAt.value, '`accepts`', diags));
  const accepts = (acceptsItems ?? []).map((r) => contractRef(r, diags)).filter((r): r is ContractRef => r !== undefined);
  const versionFrom = m.get('version_from') && parseVersionFrom(m.get('version_from')!.value, diags);
  const context = m.get('context') && contractRef(m.get('context')!.value, diags);
  const rulesAt = m.get('rules');
  const ruleFiles = rulesAt ? (readStrings(rulesAt.value, '`rules`', diags) ?? []).map((path) => ({ path, loc: locOf(rulesAt.value) })) : [];
  const exceptionsAt = m.get('exceptions');
  const exceptionFiles = exceptionsAt ? (readStrings(exceptionsAt.value, '`exceptions`', diags) ?? []).map((path) => ({ path, loc: locOf(exceptionsAt.value) })) : [];
  const sideEffects = m.get('side_effects') && readEnum(m.get('side_effects')!.value, '`side_effects`', SIDE_EFFECTS, diags);
  const dflt = m.get('default') && readEnum(m.get('default')!.value, '`default`', ['approve', 'review'] as const, diags);
  // A read action never queues (compile/side-effects.ts), so what it cannot decide it rejects.
  const undecided = sideEffects === 'read' ? 'reject' : 'review';
  const onUnknown = m.get('on_unknown') ? readEnum(m.get('on_unknown')!.value, '`on_unknown`', ['review', 'reject'] as const, diags) : undecided;
  const onError = m.get('on_error') ? readEnum(m.get('on_error')!.value, '`on_error`', ['review', 'reject'] as const, diags) : undecided;
  const owners = m.get('owners') ? readStrings(m.get('owners')!.value, '`owners`', diags) ?? [] : [];
  const description = m.get('description') && readString(m.get('description')!.value, '`description`', diags);
  const idempotency = parseIdempotency(m.get('idempotency'), m.get('idempotency_key'), loc, diags);
  const review = m.get('review') && parseReview(m.get('review')!.value, diags);
  const deliverAt = m.get('deliver');
  const deliver = deliverAt && parseDeliver(deliverAt.value, locOf(deliverAt.keyAt), diags);
  if (deliverAt && !deliver) return undefined;
  if (!contract || !sideEffects || !dflt || !onUnknown || !onError || !idempotency) return undefined;
  return {
    name, loc, contract, accepts, ruleFiles, ...(exceptionFiles.length ? { exceptionFiles } : {}), sideEffects, idempotency, default: dflt, onUnknown, onError, owners,
    ...(versionFrom ? { versionFrom } : {}),
    ...(context ? { context } : {}),
    ...(description !== undefined ? { description } : {}),
    ...(review ? { review } : {}),
    ...(deliver ? { deliver } : {}),
  };
}

/** `deliver: { url | url_env, secret_env, timeout?, max_attempts?, fallback? }`; a secret is named by its variable, never written. */
function parseDeliver(a: At, loc: SourceLoc, diags: Diagnostics): DeliverySettings | undefined {
  const m = readMap(a, '`deliver`', diags, DELIVER_KEYS, ['secret_env']);
  if (!m) return undefined;
  const target = parseTarget(m, '`deliver`', loc, diags);
  const secretEnv = envName(m.get('secret_env'), 'deliver `secret_env`', diags);
  const timeout = m.get('timeout') ? readString(m.get('timeout')!.value, 'deliver `timeout`', diags) : '10s';
  const attemptsAt = m.get('max_attempts');
  const attempts = attemptsAt ? scalar(attemptsAt.value)?.value : 8;
  if (attemptsAt && !(Number.isInteger(attempts) && (attempts as number) >= 1 && (attempts as number) <= 50)) {
    diags.error('invalid_value', 'deliver `max_attempts` is a whole number from 1 to 50', locOf(attemptsAt.value));
  }
  const fallbackAt = m.get('fallback');
  const fm = fallbackAt && readMap(fallbackAt.value, 'deliver `fallback`', diags, FALLBACK_KEYS);
  const fallback = fm && parseTarget(fm, 'deliver `fallback`', locOf(fallbackAt!.keyAt), diags);
  if (!target || !secretEnv || timeout === undefined || !Number.isInteger(attempts) || (attempts as number) < 1 || (attempts as number) > 50 || (fallbackAt && !fallback)) return undefined;
  return { ...target, secretEnv, timeout, maxAttempts: attempts as number, loc, ...(fallback ? { fallback } : {}) };
}

function parseTarget(m: Map<string, Entry>, what: string, loc: SourceLoc, diags: Diagnostics): { url?: string; urlEnv?: string } | undefined {
  if (m.has('url') === m.has('url_env')) {
    diags.error('invalid_value', `${what} needs one of \`url\` and \`url_env\``, loc, 'name the receiver by `url: https://…`, or by `url_env: VARIABLE` when each environment has its own');
    return undefined;
  }
  if (m.has('url_env')) {
    const urlEnv = envName(m.get('url_env'), `${what} \`url_env\``, diags);
    return urlEnv ? { urlEnv } : undefined;
  }
  const url = readString(m.get('url')!.value, `${what} \`url\``, diags);
  if (url !== undefined && !/^https?:\/\/[^\s]+$/.test(url)) {
    diags.error('invalid_value', `${what} \`url\` \`${url}\` must be an http:// or https:// URL`, locOf(m.get('url')!.value));
    return undefined;
  }
  return url === undefined ? undefined : { url };
}

function envName(e: Entry | undefined, what: string, diags: Diagnostics): string | undefined {
  const name = e && readString(e.value, what, diags);
  if (name !== undefined && !ENV_NAME.test(name)) {
    diags.error('invalid_value', `${what} \`${name}\` must name an environment variable (capitals, digits and \`_\`)`, locOf(e!.value), 'the value is read from the environment when the gate starts; it never belongs in a policy file');
    return undefined;
  }
  return name;
}

export function contractRef(a: At, diags: Diagnostics): ContractRef | undefined {
  const text = readString(a, 'a contract reference', diags);
  if (text === undefined) return undefined;
  const m = CONTRACT_REF.exec(text);
  if (!m) {
    diags.error('invalid_value', `contract reference \`${text}\` must be \`id@version\`, such as \`refund_order@2\` or \`refund_order@1.4.0\``, locOf(a));
    return undefined;
  }
  return { id: m[1] as string, version: m[2] as string, loc: locOf(a) };
}

/** `/proposal_id` alone, or a map with `key`, `scope` and `match`; `idempotency_key: /p` is short for `idempotency: { key: /p }`. */
function parseIdempotency(full: Entry | undefined, short: Entry | undefined, loc: SourceLoc, diags: Diagnostics): IdempotencyAst | undefined {
  if (full && short) {
    diags.error('invalid_value', '`idempotency_key` is short for `idempotency: { key: … }`; write one of them', locOf(short.keyAt));
    return undefined;
  }
  if (short) {
    const key = readPointer(short.value, '`idempotency_key`', diags);
    return key && { key, match: 'proposal', loc: locOf(short.keyAt) };
  }
  if (!full) return { match: 'proposal', loc };
  const m = readMap(full.value, '`idempotency`', diags, IDEMPOTENCY_KEYS);
  if (!m) return undefined;
  const key = m.get('key') && readPointer(m.get('key')!.value, 'idempotency `key`', diags);
  const scope = m.get('scope') && readEnum(m.get('scope')!.value, 'idempotency `scope`', ['global', 'action'] as const, diags);
  const match = m.get('match') ? readEnum(m.get('match')!.value, 'idempotency `match`', ['proposal', 'request'] as const, diags) : 'proposal';
  if ((m.has('key') && !key) || (m.has('scope') && !scope) || !match) return undefined;
  return { match, loc: locOf(full.keyAt), ...(key ? { key } : {}), ...(scope ? { scope } : {}) };
}

function readPointer(a: At, what: string, diags: Diagnostics): { pointer: string; loc: SourceLoc } | undefined {
  const pointer = readString(a, what, diags);
  if (pointer !== undefined && !pointer.startsWith('/')) {
    diags.error('invalid_pointer', `${what} must be a JSON Pointer into the proposal, such as \`/proposal_id\``, locOf(a));
    return undefined;
  }
  return pointer === undefined ? undefined : { pointer, loc: locOf(a) };
}

/** `/contract_version`, or `{ pointer: /contract_version, values: { "1.0.0": refund_order@1 } }`. */
function parseVersionFrom(a: At, diags: Diagnostics): VersionFromAst | undefined {
  if (isScalarNode(a)) {
    const p = readPointer(a, '`version_from`', diags);
    return p && { pointer: p.pointer, loc: p.loc };
  }
  const m = readMap(a, '`version_from`', diags, VERSION_FROM_KEYS, ['pointer']);
  const p = m && readPointer(m.get('pointer')!.value, '`version_from` `pointer`', diags);
  if (!m || !p) return undefined;
  const valuesAt = m.get('values');
  if (!valuesAt) return { pointer: p.pointer, loc: p.loc };
  const values = new Map<string, ContractRef>();
  for (const [written, e] of readMap(valuesAt.value, '`version_from` `values`', diags) ?? []) {
    const ref = contractRef(e.value, diags);
    if (ref) values.set(written, ref);
  }
  return { pointer: p.pointer, values, loc: p.loc };
}

function parseReview(a: At, diags: Diagnostics): ReviewSettings | undefined {
  const m = readMap(a, '`review`', diags, REVIEW_KEYS, ['queue']);
  if (!m) return undefined;
  const queue = m.get('queue') && readString(m.get('queue')!.value, 'review `queue`', diags);
  if (queue !== undefined && !QUEUE.test(queue)) diags.error('invalid_value', `review \`queue\` \`${queue}\` must be letters, digits, \`_\`, \`.\` and \`-\` (it names the scope \`review:<queue>\`)`, locOf(m.get('queue')!.value));
  const expiresAfter = m.get('expires_after') && readString(m.get('expires_after')!.value, 'review `expires_after`', diags);
  const onExpiry = m.get('on_expiry') ? readEnum(m.get('on_expiry')!.value, 'review `on_expiry`', ['reject', 'review'] as const, diags) : 'reject';
  const selfReview = m.get('self_review') ? readEnum(m.get('self_review')!.value, 'review `self_review`', ['forbid', 'allow'] as const, diags) : 'forbid';
  const entityAt = m.get('entity');
  const entity = entityAt && pointer(entityAt.value, 'review `entity`', diags);
  const reasons = m.get('reasons') ? parseReasons(m.get('reasons')!.value, diags) : [];
  const preview: ReviewSettings['preview'] = [];
  const previewMap = m.get('preview') && readMap(m.get('preview')!.value, 'review `preview`', diags);
  for (const [key, e] of previewMap ?? []) {
    const context = pointer(e.value, `review \`preview\` \`${key}\``, diags);
    if (!key.startsWith('/')) diags.error('invalid_pointer', `review \`preview\` key \`${key}\` must be a JSON Pointer into the proposal, such as \`/amount\``, locOf(e.keyAt));
    else if (context !== undefined) preview.push({ proposal: key, context, loc: locOf(e.keyAt) });
  }
  if (queue === undefined || !onExpiry || !selfReview) return undefined;
  return {
    queue, onExpiry, reasons, selfReview: selfReview === 'allow', preview,
    ...(expiresAfter !== undefined ? { expiresAfter } : {}),
    ...(entity !== undefined ? { entity: { pointer: entity, loc: locOf(entityAt!.value) } } : {}),
  };
}

const QUEUE = /^[A-Za-z0-9_.-]{1,64}$/;

function pointer(a: At, what: string, diags: Diagnostics): string | undefined {
  const p = readString(a, what, diags);
  if (p === undefined || p.startsWith('/')) return p;
  diags.error('invalid_pointer', `${what} must be a JSON Pointer, such as \`/order_id\``, locOf(a));
  return undefined;
}

/** `reasons: { code: text, … }`: at most nine, so each has a key on the review page. */
function parseReasons(a: At, diags: Diagnostics): ReviewSettings['reasons'] {
  const out: ReviewSettings['reasons'] = [];
  for (const [code, e] of readMap(a, 'review `reasons`', diags) ?? []) {
    const text = readString(e.value, `review reason \`${code}\``, diags);
    if (!REASON_CODE.test(code)) diags.error('invalid_value', `review reason code \`${code}\` must be lowercase letters, digits and underscores`, locOf(e.keyAt));
    else if (text !== undefined) out.push({ code, text });
  }
  if (out.length > 9) diags.error('invalid_value', `review \`reasons\` lists ${out.length} presets; at most 9 fit the keys 1–9`, locOf(a));
  return out;
}
