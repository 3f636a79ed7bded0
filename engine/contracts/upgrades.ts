/**
 * Loads the upgrade a contract version declares (`schemas/<id>/<version>.upgrade.yaml`), applies
 * its steps to a model of the source schema and proves the result against the target (see
 * upgrade-model.ts, upgrade-proof.ts). Each upgrade is read and proven once per policy, however
 * many actions accept its version.
 */
import type { UpgradeAst } from '../ast/types.js';
import { parseUpgrade } from '../ast/upgrade.js';
import type { ContractUse } from '../compile/policy.js';
import type { Diagnostics, SourceLoc } from '../errors.js';
import { at, YamlFile } from '../source/yaml.js';
import { upgradePath, type ContractLoader } from './load.js';
import type { Upgrade } from './upgrade.js';
import { applyToModel, modelOf } from './upgrade-model.js';
import { prove, subschemaValidator, type ProofContext } from './upgrade-proof.js';
import { createAjv } from './validate.js';

export interface Declared { ast: UpgradeAst; upgrade?: Upgrade }

export class UpgradeLoader {
  private readonly cache = new Map<string, Declared | null>();
  private readonly ajv = createAjv({ validateSchema: false });
  private readonly validators = new Map<string, ProofContext['refuses']>();

  constructor(private readonly files: ReadonlyMap<string, string>, private readonly contracts: ContractLoader, private readonly diags: Diagnostics) {}

  /** The upgrade `from` declares, parsed; `upgrade` is set when its steps apply and its target loads. */
  load(from: ContractUse, loc: SourceLoc): Declared | undefined {
    const file = upgradePath(from.id, from.version);
    if (!this.cache.has(file)) this.cache.set(file, this.read(from, file, loc) ?? null);
    return this.cache.get(file) ?? undefined;
  }

  /** Every upgrade read, by file: what the revision hashes. */
  loaded(): Map<string, Upgrade> {
    return new Map([...this.cache].flatMap(([file, d]) => (d?.upgrade ? [[file, d.upgrade] as const] : [])));
  }

  private read(from: ContractUse, file: string, loc: SourceLoc): Declared | undefined {
    const text = this.files.get(file);
    if (text === undefined) {
      this.diags.error('unknown_file', `contract \`${from.ref}\` is accepted, but declares no upgrade: \`${file}\` does not exist`, loc,
        `write how a \`${from.ref}\` proposal becomes one of the next version to \`${file}\` (docs/policies.md, "Evolving a contract")`);
      return undefined;
    }
    const f = new YamlFile(file, text, this.diags);
    if (!f.root) {
      if (f.parsed) this.diags.error('invalid_upgrade', `\`${file}\` is empty`, { file, line: 1, col: 1 }, 'an upgrade file has `to:` and `steps:`');
      return undefined;
    }
    const ast = parseUpgrade(at(f, f.root), this.diags);
    if (!ast) return undefined;
    const to = this.contracts.load(ast.to);
    const model = modelOf(from.schema, from.schema, true, '');
    const steps = to && applyToModel(model, ast, from.ref, this.diags);
    if (!to || !steps) return { ast };
    prove(model, to.schema, '', '', { from: from.ref, to: to.ref, fromRoot: from.schema, toRoot: to.schema, refuses: this.validator(to), diags: this.diags, loc: ast.to.loc });
    return { ast, upgrade: { from: from.ref, to: to.ref, file, steps } };
  }

  private validator(to: ContractUse): ProofContext['refuses'] {
    let v = this.validators.get(to.ref);
    if (!v) this.validators.set(to.ref, (v = subschemaValidator(this.ajv, to.schema, to.ref)));
    return v;
  }
}
