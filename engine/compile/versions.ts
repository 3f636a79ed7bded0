/**
 * The contract versions an action serves: its current contract, which the rules read, and the
 * older versions it `accepts`, each with the chain of declared upgrades that brings a proposal
 * to the current version. Rules are written once, against the current version; an older
 * proposal reaches them only upgraded, so they type-check against every version they can see.
 */
import type { ActionAst, ContractRef } from '../ast/types.js';
import { resolvePath } from '../contracts/shape.js';
import type { ContractLoader } from '../contracts/load.js';
import type { Upgrade } from '../contracts/upgrade.js';
import type { UpgradeLoader } from '../contracts/upgrades.js';
import type { Diagnostics } from '../errors.js';
import { pointerSteps } from '../values/json.js';
import type { ContractUse, ServedContract, VersionFrom } from './policy.js';

const refOf = (r: ContractRef) => `${r.id}@${r.version}`;

/** The versions served; one whose upgrades do not reach the current version is left out, after an error. */
export function compileVersions(ast: ActionAst, current: ContractUse, contracts: ContractLoader, upgrades: UpgradeLoader, diags: Diagnostics):
  { versions: Map<string, ServedContract>; versionFrom?: VersionFrom } {
  const uses = new Map<string, ContractUse>([[current.ref, current]]);
  const accepted: { use: ContractUse; ref: ContractRef }[] = [];
  for (const ref of ast.accepts) {
    if (uses.has(refOf(ref))) {
      diags.error('invalid_value', refOf(ref) === current.ref
        ? `\`${current.ref}\` is the current contract of action \`${ast.name}\`; \`accepts\` lists the older versions it also serves`
        : `\`accepts\` lists \`${refOf(ref)}\` twice`, ref.loc);
      continue;
    }
    const use = contracts.load(ref);
    if (use) {
      uses.set(use.ref, use);
      accepted.push({ use, ref });
    }
  }
  const next = new Map<string, Upgrade>();
  for (const { use, ref } of accepted) {
    const declared = upgrades.load(use, ref.loc);
    if (!declared) continue;
    const to = refOf(declared.ast.to);
    if (!uses.has(to) || to === use.ref) {
      diags.error('invalid_upgrade', `\`${declared.ast.path}\` upgrades \`${use.ref}\` to \`${to}\`, which action \`${ast.name}\` does not serve${to === use.ref ? ' as a later version' : ''}`, declared.ast.to.loc,
        `action \`${ast.name}\` serves ${[...uses.keys()].map((r) => `\`${r}\``).join(', ')}; each older version upgrades to the next, and the last to \`${current.ref}\``);
    } else if (declared.upgrade) next.set(use.ref, declared.upgrade);
  }
  // Oldest first, as `accepts` lists them, then the current version.
  const versions = new Map<string, ServedContract>();
  for (const { use, ref } of accepted) {
    const chain: Upgrade[] = [];
    for (let at = use.ref; at !== current.ref; at = chain.at(-1)!.to) {
      const u = next.get(at);
      if (!u) break;
      if (chain.some((c) => c.from === u.to) || u.to === use.ref) {
        diags.error('invalid_upgrade', `the upgrades from \`${use.ref}\` go round in a circle: ${[...chain, u].map((c) => `\`${c.from}\``).join(' → ')} → \`${u.to}\``, ref.loc,
          `each older version upgrades to a later one, and the last to \`${current.ref}\``);
        break;
      }
      chain.push(u);
    }
    if (chain.at(-1)?.to === current.ref) versions.set(use.ref, { use, upgrades: chain });
  }
  versions.set(current.ref, { use: current, upgrades: [] });
  const versionFrom = ast.versionFrom && compileVersionFrom(ast, uses, diags);
  return { versions, ...(versionFrom ? { versionFrom } : {}) };
}

function compileVersionFrom(ast: ActionAst, uses: Map<string, ContractUse>, diags: Diagnostics): VersionFrom | undefined {
  const vf = ast.versionFrom!;
  const steps = pointerSteps(vf.pointer);
  if (![...uses.values()].some((u) => resolvePath(u.slot, steps).ok)) {
    diags.error('invalid_pointer', `\`version_from\` \`${vf.pointer}\` names a member that no contract of action \`${ast.name}\` defines`, vf.loc);
  }
  if (!vf.values) return { pointer: steps, text: vf.pointer };
  const values = new Map<string, string>();
  for (const [written, ref] of vf.values) {
    if (uses.has(refOf(ref))) values.set(written, refOf(ref));
    else diags.error('invalid_value', `\`version_from\` maps \`${written}\` to \`${refOf(ref)}\`, which action \`${ast.name}\` does not serve`, ref.loc,
      `action \`${ast.name}\` serves ${[...uses.keys()].map((r) => `\`${r}\``).join(', ')}; list older versions under \`accepts\``);
  }
  return { pointer: steps, text: vf.pointer, values };
}
