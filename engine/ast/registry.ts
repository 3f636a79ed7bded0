/** Parses `rules.registry.yaml`: which actions exist, their contracts, rule files and settings. */
import type { Diagnostics } from '../errors.js';
import { locOf, readEnum, readMap, readString, readStrings, scalar, type At } from '../source/yaml.js';
import { SIDE_EFFECTS, type ActionAst, type ContractRef, type RegistryAst, type ReviewSettings } from './types.js';

const TOP_KEYS = ['version', 'actions'] as const;
const ACTION_KEYS = ['description', 'contract', 'context', 'rules', 'side_effects', 'idempotency_key', 'default',
  'on_unknown', 'on_error', 'review', 'owners'] as const;
const REVIEW_KEYS = ['queue', 'expires_after', 'on_expiry'] as const;
const CONTRACT_REF = /^([a-z][a-z0-9_]*)@([1-9][0-9]*)$/;
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
  const context = m.get('context') && contractRef(m.get('context')!.value, diags);
  const rulesAt = m.get('rules');
  const ruleFiles = rulesAt ? (readStrings(rulesAt.value, '`rules`', diags) ?? []).map((path) => ({ path, loc: locOf(rulesAt.value) })) : [];
  const sideEffects = m.get('side_effects') && readEnum(m.get('side_effects')!.value, '`side_effects`', SIDE_EFFECTS, diags);
  const dflt = m.get('default') && readEnum(m.get('default')!.value, '`default`', ['approve', 'review'] as const, diags);
  const onUnknown = m.get('on_unknown') ? readEnum(m.get('on_unknown')!.value, '`on_unknown`', ['review', 'reject'] as const, diags) : 'review';
  const onError = m.get('on_error') ? readEnum(m.get('on_error')!.value, '`on_error`', ['review', 'reject'] as const, diags) : 'review';
  const owners = m.get('owners') ? readStrings(m.get('owners')!.value, '`owners`', diags) ?? [] : [];
  const description = m.get('description') && readString(m.get('description')!.value, '`description`', diags);
  let idempotencyKey: ActionAst['idempotencyKey'];
  const keyAt = m.get('idempotency_key');
  if (keyAt) {
    const pointer = readString(keyAt.value, '`idempotency_key`', diags);
    if (pointer !== undefined && !pointer.startsWith('/')) {
      diags.error('invalid_pointer', `\`idempotency_key\` must be a JSON Pointer into the proposal, such as \`/proposal_id\``, locOf(keyAt.value));
    } else if (pointer !== undefined) idempotencyKey = { pointer, loc: locOf(keyAt.value) };
  }
  const review = m.get('review') && parseReview(m.get('review')!.value, diags);
  if (!contract || !sideEffects || !dflt || !onUnknown || !onError) return undefined;
  return {
    name, loc, contract, ruleFiles, sideEffects, default: dflt, onUnknown, onError, owners,
    ...(context ? { context } : {}),
    ...(description !== undefined ? { description } : {}),
    ...(idempotencyKey ? { idempotencyKey } : {}),
    ...(review ? { review } : {}),
  };
}

function contractRef(a: At, diags: Diagnostics): ContractRef | undefined {
  const text = readString(a, 'a contract reference', diags);
  if (text === undefined) return undefined;
  const m = CONTRACT_REF.exec(text);
  if (!m) {
    diags.error('invalid_value', `contract reference \`${text}\` must be \`id@version\`, such as \`refund_order@2\``, locOf(a));
    return undefined;
  }
  return { id: m[1] as string, version: Number(m[2]), loc: locOf(a) };
}

function parseReview(a: At, diags: Diagnostics): ReviewSettings | undefined {
  const m = readMap(a, '`review`', diags, REVIEW_KEYS, ['queue']);
  if (!m) return undefined;
  const queue = m.get('queue') && readString(m.get('queue')!.value, 'review `queue`', diags);
  const expiresAfter = m.get('expires_after') && readString(m.get('expires_after')!.value, 'review `expires_after`', diags);
  const onExpiry = m.get('on_expiry') ? readEnum(m.get('on_expiry')!.value, 'review `on_expiry`', ['reject', 'review'] as const, diags) : 'reject';
  if (queue === undefined || !onExpiry) return undefined;
  return { queue, onExpiry, ...(expiresAfter !== undefined ? { expiresAfter } : {}) };
}
