/**
 * The contract stage of a decision. The request selects the version its proposal is written to
 * (`contract` or `version` in the request, else the member the action's `version_from` names,
 * else the current version); the proposal is checked against that version, upgraded step by step
 * to the current version, and checked again. Rules only ever see a proposal of the current
 * version. A failure at any step rejects, with codes that name the step: `contract.*` for the
 * version sent, `contract.upgrade_failed` for a step that could not apply, `contract.upgraded.*`
 * for the current version after the upgrade.
 */
import type { CompiledAction, ServedContract } from '../compile/policy.js';
import { applyUpgrade } from '../contracts/upgrade.js';
import { own } from '../eval/runtime.js';
import type { ContractStep } from '../trace/types.js';
import { DecideError, type DecideRequest, type DecisionError } from './types.js';

/** The version a request selects; throws `unknown_contract_version` for one the action does not serve. */
export function servedContract(action: CompiledAction, req: Pick<DecideRequest, 'proposal' | 'contract' | 'version'>): ServedContract {
  if (req.contract !== undefined && req.version !== undefined) {
    throw new DecideError('invalid_request', 'name the contract version once: `contract` or `version`, not both');
  }
  if (req.contract !== undefined) return action.versions.get(req.contract) ?? unknown(action, `\`${req.contract}\``);
  if (req.version !== undefined) return byVersion(action, String(req.version), `\`${String(req.version)}\``);
  const from = action.versionFrom;
  const written = from && own(req.proposal, from.pointer);
  if (from && written !== undefined && written !== null) {
    const where = `${JSON.stringify(written)} (at \`/proposal${from.text}\`)`;
    if (typeof written !== 'string' && typeof written !== 'number') return unknown(action, where);
    if (!from.values) return byVersion(action, String(written), where);
    const ref = from.values.get(String(written));
    return (ref !== undefined && action.versions.get(ref)) || unknown(action, where);
  }
  return action.versions.get(action.contract.ref)!;
}

function byVersion(action: CompiledAction, version: string, shown: string): ServedContract {
  for (const v of action.versions.values()) if (v.use.version === version) return v;
  return unknown(action, shown);
}

function unknown(action: CompiledAction, shown: string): never {
  throw new DecideError('unknown_contract_version', `action \`${action.name}\` serves no contract version ${shown}; it serves ${servedList(action)}`);
}

/** `refund_order@1`, `refund_order@2` (current) */
export function servedList(action: CompiledAction): string {
  return [...action.versions.keys()].map((r) => `\`${r}\`${r === action.contract.ref ? ' (current)' : ''}`).join(', ');
}

export interface Read {
  /** the proposal as the rules see it: upgraded to the current version */
  proposal: unknown;
  errors: DecisionError[];
  /** what the contract reason says, when the failure is not the check of the request as sent */
  failure?: string;
}

/**
 * Checks the request against the version it selected and upgrades its proposal. `steps`, when
 * given, receives the trace of each step of a proposal sent as an older version.
 */
export function readRequest(action: CompiledAction, served: ServedContract, req: DecideRequest, steps?: ContractStep[]): Read {
  const errors = served.use.validate(req.proposal, '/proposal');
  const all = checkContext(action, req, errors);
  if (served.upgrades.length === 0) return { proposal: req.proposal, errors: all };
  steps?.push({ step: 'validate', contract: served.use.ref, result: errors.length ? 'invalid' : 'valid' });
  if (all.length) return { proposal: req.proposal, errors: all };
  const doc = structuredClone(req.proposal);
  for (const u of served.upgrades) {
    const changes = steps && [];
    const failed = applyUpgrade(doc, u, changes);
    steps?.push({ step: 'upgrade', from: u.from, to: u.to, result: failed ? 'failed' : 'applied', changes: changes ?? [] });
    if (failed) {
      return { proposal: doc, failure: `the proposal could not be upgraded from \`${u.from}\` to \`${u.to}\``,
        errors: [{ code: 'contract.upgrade_failed', pointer: `/proposal${failed.pointer}`, message: failed.message }] };
    }
  }
  const after = action.contract.validate(doc, '/proposal');
  steps?.push({ step: 'validate', contract: action.contract.ref, result: after.length ? 'invalid' : 'valid' });
  if (after.length === 0) return { proposal: doc, errors: after };
  return {
    proposal: doc, failure: `the proposal, upgraded from \`${served.use.ref}\`, does not satisfy \`${action.contract.ref}\``,
    errors: after.map((e) => ({ ...e, code: `contract.upgraded.${e.code.slice('contract.'.length)}`, message: `${e.message} (after the upgrade from \`${served.use.ref}\`)` })),
  };
}

function checkContext(action: CompiledAction, req: DecideRequest, errors: DecisionError[]): DecisionError[] {
  if (action.context) {
    const more = action.context.validate(req.context ?? {}, '/context');
    return more.length ? [...errors, ...more] : errors;
  }
  if (req.context !== undefined && !(typeof req.context === 'object' && req.context !== null && Object.keys(req.context).length === 0)) {
    return [...errors, { code: 'contract.unexpected_context', pointer: '/context', message: `action \`${action.name}\` has no context contract, so it takes no context` }];
  }
  return errors;
}
