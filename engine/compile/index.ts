/**
 * Compiles a policy repository (held in memory: path → text) into a frozen CompiledPolicy.
 * Stages: parse the registry → load contracts → parse rule files → resolve and type-check every
 * action → generate code → hash. Every stage keeps going after an error, so one run reports them
 * all, sorted by file and position.
 */
import { parseRegistry } from '../ast/registry.js';
import { parseExceptionFile } from '../ast/exceptions.js';
import { parseRuleFile } from '../ast/rules.js';
import type { ActionAst, DeliverySettings, DeriveAst, ExceptionFileAst, NamedCondition, ReviewSettings, RuleFileAst, TableAst } from '../ast/types.js';
import { ContractLoader } from '../contracts/load.js';
import { resolvePath } from '../contracts/shape.js';
import type { Upgrade } from '../contracts/upgrade.js';
import { UpgradeLoader } from '../contracts/upgrades.js';
import { didYouMean, Diagnostics, type Diagnostic, type SourceLoc } from '../errors.js';
import { generateChunks } from '../eval/codegen.js';
import { at, YamlFile } from '../source/yaml.js';
import { canonicalHash } from '../values/canonical.js';
import { pointerSteps } from '../values/json.js';
import { parseDuration } from '../values/time.js';
import { ENGINE_VERSION } from '../version.js';
import { moreSevere } from '../decide/types.js';
import { resolveCondition } from './conditions.js';
import { resolveDerived } from './expressions.js';
import { checkDivisors } from './divisors.js';
import { checkGuards } from './guards.js';
import { compileExceptions } from './exceptions.js';
import { entriesOf, instantiateAction } from './instantiate.js';
import type { RiskModel, Rule, Signal } from './ir.js';
import type { CompiledAction, CompiledPolicy, ContractUse, Delivery } from './policy.js';
import { checkSideEffects, routeFor } from './side-effects.js';
import type { ActionScope, Scope } from './scope.js';
import { resolveTemplate } from './template.js';
import { compileVersions } from './versions.js';

export const REGISTRY_FILE = 'rules.registry.yaml';
const RESERVED = new Set(['proposal', 'context', 'now', 'today']);

export type CompileResult =
  | { ok: true; policy: CompiledPolicy; diagnostics: Diagnostic[] }
  | { ok: false; diagnostics: Diagnostic[] };

/**
 * An exceptions file that does not live in the repository: an exception granted through the gate
 * (gate/exceptions.ts), compiled for `action` exactly as a file the registry names would be.
 */
export interface GrantedFile { action: string; path: string; text: string }

export interface CompileOptions { granted?: readonly GrantedFile[] }

/** `files` maps paths relative to the policy root (`rules/refund.yaml`) to their text. */
export function compilePolicy(repository: ReadonlyMap<string, string>, options: CompileOptions = {}): CompileResult {
  const diags = new Diagnostics();
  const granted = options.granted ?? [];
  const files = granted.length ? new Map([...repository, ...granted.map((g): [string, string] => [g.path, g.text])]) : repository;
  const registryText = files.get(REGISTRY_FILE);
  if (registryText === undefined) {
    diags.error('unknown_file', `\`${REGISTRY_FILE}\` does not exist`, undefined, 'a policy repository has a registry at its root; pass `--dir` to point at one');
    return { ok: false, diagnostics: diags.sorted() };
  }
  const registryFile = new YamlFile(REGISTRY_FILE, registryText, diags);
  const registry = registryFile.root ? parseRegistry(at(registryFile, registryFile.root), diags) : undefined;
  const contracts = new ContractLoader(files, diags);
  const upgrades = new UpgradeLoader(files, contracts, diags);
  const ruleFiles = new Map<string, RuleFileAst | null>();
  const parseFile = (path: string, loc: SourceLoc): RuleFileAst | undefined => {
    if (!ruleFiles.has(path)) {
      const f = readPolicyFile(files, path, loc, 'rule file', diags);
      const empty: RuleFileAst | null = f?.parsed ? { path, conditions: [], tables: [], derive: [], rules: [], written: 0 } : null;
      ruleFiles.set(path, f?.root ? parseRuleFile(at(f, f.root), diags) ?? null : empty);
    }
    return ruleFiles.get(path) ?? undefined;
  };
  const exceptionFiles = new Map<string, ExceptionFileAst | null>();
  const parseExceptions = (path: string, loc: SourceLoc): ExceptionFileAst | undefined => {
    if (!exceptionFiles.has(path)) {
      const f = readPolicyFile(files, path, loc, 'exceptions file', diags);
      exceptionFiles.set(path, f?.root ? parseExceptionFile(at(f, f.root), diags) ?? null : f?.parsed ? { path, exceptions: [] } : null);
    }
    return exceptionFiles.get(path) ?? undefined;
  };

  for (const g of granted) {
    if (registry && !registry.actions.some((a) => a.name === g.action)) {
      const hint = didYouMean(g.action, registry.actions.map((a) => a.name));
      diags.error('unknown_action', `exception in \`${g.path}\` is for action \`${g.action}\`, which the registry does not define`, { file: g.path, line: 1, col: 1 },
        hint ? `did you mean \`${hint}\`?` : `the actions are ${registry.actions.map((a) => `\`${a.name}\``).join(', ')}`);
    }
  }
  const actions = new Map<string, CompiledAction>();
  for (const declared of registry?.actions ?? []) {
    const extra = granted.filter((g) => g.action === declared.name).map((g) => ({ path: g.path, loc: { file: g.path, line: 1, col: 1 } }));
    const ast = extra.length ? { ...declared, exceptionFiles: [...(declared.exceptionFiles ?? []), ...extra] } : declared;
    const action = compileAction(ast, contracts, upgrades, parseFile, parseExceptions, diags);
    if (action) actions.set(ast.name, action);
  }
  if (diags.errorCount > 0 || !registry) return { ok: false, diagnostics: diags.sorted() };
  const revision = `sha256:${canonicalHash(functional(registry.actions, [...actions.values()], ruleFiles, exceptionFiles, upgrades.loaded()), NOT_FUNCTIONAL)}`;
  const policy: CompiledPolicy = Object.freeze({ revision, engineVersion: ENGINE_VERSION, actions });
  return { ok: true, policy, diagnostics: diags.sorted() };
}

type Parse<T> = (path: string, loc: SourceLoc) => T | undefined;

function compileAction(ast: ActionAst, contracts: ContractLoader, upgrades: UpgradeLoader, parseFile: Parse<RuleFileAst>, parseExceptions: Parse<ExceptionFileAst>, diags: Diagnostics): CompiledAction | undefined {
  const contract = contracts.load(ast.contract);
  const served = contract && compileVersions(ast, contract, contracts, upgrades, diags);
  const context = ast.context ? contracts.load(ast.context) : undefined;
  const files = ast.ruleFiles.map((f) => parseFile(f.path, f.loc)).filter((f): f is RuleFileAst => f !== undefined);
  for (const f of files) {
    // An emptied or truncated file must not compile into an action that approves what it refused.
    if (f.written === 0) {
      diags.error('empty_rule_file', `rule file \`${f.path}\` holds no rules`, { file: f.path, line: 1, col: 1 },
        `a rule file that action \`${ast.name}\` names must hold at least one rule; an empty or truncated file would approve what its rules refuse`);
    }
  }
  if (!contract || !served || (ast.context && !context)) return undefined;

  // The key is read before the version is known, so every version must hold it.
  const key = ast.idempotency.key;
  if (key) for (const v of served.versions.values()) checkPointer(key.pointer, key.loc, v.use.slot, v.use.ref, diags);
  if (ast.review?.expiresAfter !== undefined && !parseDuration(ast.review.expiresAfter)) {
    diags.error('invalid_literal', `review \`expires_after\` \`${ast.review.expiresAfter}\` is not a duration`, ast.loc, 'write durations as `24h`, `2d` or `90m`');
  }
  if (ast.review) checkReviewPointers(ast.review, contract, context, diags);

  const counter = { n: 0 };
  const scope: ActionScope = {
    action: ast.name, diags,
    proposal: { name: contract.ref, slot: contract.slot },
    ...(context ? { context: { name: context.ref, slot: context.slot } } : {}),
    deriveAst: uniqueNames(files.flatMap((f) => f.derive), 'derived fact', diags, (d: DeriveAst) => RESERVED.has(d.name)),
    conditions: uniqueNames(files.flatMap((f) => f.conditions), 'condition', diags),
    tables: uniqueNames(files.flatMap((f) => f.tables), 'table', diags),
    derived: new Map(), resolving: [], failed: new Set(), used: new Set(),
    nextId: () => counter.n++,
  };
  const at = (who: string): Scope => ({ action: scope, who, items: [], expanding: [] });
  for (const name of scope.deriveAst.keys()) resolveDerived(name, at(`derived fact \`${name}\``));

  const rules: Rule[] = [];
  const ruleIds = new Map<string, SourceLoc>();
  for (const file of files) {
    for (const r of file.rules) {
      if (duplicate(ruleIds, r.id, r.loc, 'rule', diags)) continue;
      const s = at(`rule \`${r.id}\``);
      const when = resolveCondition(r.when, s);
      const reason = resolveTemplate(r.reason?.text ?? `rule \`${r.id}\` matched`, r.reason?.loc ?? r.loc, s);
      if (!when || !reason) continue;
      checkGuards(s.who, when, r.loc, { rule: moreSevere(r.outcome, ast.onUnknown) }, diags);
      checkDivisors(s.who, when, r.loc, moreSevere(r.outcome, ast.onError), scope);
      rules.push({ id: r.id, index: rules.length, outcome: r.outcome, mode: r.mode, when, reason, loc: r.loc, file: file.path,
        ...(r.description !== undefined ? { description: r.description } : {}) });
    }
  }
  const compiled = compileRisk(files, rules.length, at, diags);
  const risk: RiskModel = { ...compiled, route: routeFor(ast, compiled, files.some((f) => f.risk?.route !== undefined)) };
  checkSideEffects(ast, rules, risk.route, diags);
  const deliver = ast.deliver && deliveryOf(ast.deliver, diags);
  const exceptions = compileExceptions(ast.name, (ast.exceptionFiles ?? []).map((f) => parseExceptions(f.path, f.loc)).filter((f): f is ExceptionFileAst => f !== undefined),
    rules, rules.length + risk.signals.length, at, diags);

  for (const [kind, names] of [['condition', scope.conditions], ['table', scope.tables], ['derive', scope.deriveAst]] as const) {
    for (const [name, def] of names) {
      if (!scope.used.has(`${kind}:${name}`)) diags.warn('unused', `${kind === 'derive' ? 'derived fact' : kind} \`${name}\` is never used`, def.loc);
    }
  }
  if (diags.errorCount > 0) return undefined;

  const derived = [...scope.derived.values()].sort((a, b) => a.index - b.index);
  return instantiateAction({
    name: ast.name, contract, versions: served.versions, sideEffects: ast.sideEffects, default: ast.default, onUnknown: ast.onUnknown, onError: ast.onError,
    owners: ast.owners, ruleFiles: ast.ruleFiles.map((f) => f.path), exceptionFiles: (ast.exceptionFiles ?? []).map((f) => f.path), rules, derived, risk, exceptions,
    code: generateChunks(entriesOf(rules, risk.signals, exceptions)), ast,
    idempotency: { match: ast.idempotency.match, ...(key ? { key: key.pointer } : {}), ...(ast.idempotency.scope ? { scope: ast.idempotency.scope } : {}) },
    ...(served.versionFrom ? { versionFrom: served.versionFrom } : {}),
    ...(context ? { context } : {}),
    ...(ast.description !== undefined ? { description: ast.description } : {}),
    ...(ast.review ? { review: ast.review } : {}),
    ...(deliver ? { deliver } : {}),
  });
}

function deliveryOf(d: DeliverySettings, diags: Diagnostics): Delivery | undefined {
  const timeout = parseDuration(d.timeout);
  const ms = timeout && timeout.toNumber() * 1000;
  if (!ms || ms < 1000 || ms > 300_000) {
    diags.error('invalid_literal', `deliver \`timeout\` \`${d.timeout}\` is not a duration from 1s to 5m`, d.loc, 'write durations as `10s` or `2m`');
    return undefined;
  }
  return {
    secretEnv: d.secretEnv, timeoutMs: ms, maxAttempts: d.maxAttempts, ...(d.url ? { url: d.url } : {}), ...(d.urlEnv ? { urlEnv: d.urlEnv } : {}), ...(d.fallback ? { fallback: d.fallback } : {}),
  };
}

function compileRisk(files: RuleFileAst[], offset: number, at: (who: string) => Scope, diags: Diagnostics): RiskModel {
  const signals: Signal[] = [];
  const ids = new Map<string, SourceLoc>();
  let tiers: { name: string; min: number }[] = [];
  const route = new Map<string, 'review' | 'reject'>();
  let tiersFrom: string | undefined;
  for (const file of files) {
    if (!file.risk) continue;
    for (const sig of file.risk.signals) {
      if (duplicate(ids, sig.id, sig.loc, 'signal', diags)) continue;
      const s = at(`signal \`${sig.id}\``);
      const when = resolveCondition(sig.when, s);
      if (!when) continue;
      checkGuards(s.who, when, sig.loc, { signal: true }, diags);
      checkDivisors(s.who, when, sig.loc, undefined, s.action);
      signals.push({ id: sig.id, index: offset + signals.length, when, points: sig.points, loc: sig.loc, ...(sig.description !== undefined ? { description: sig.description } : {}) });
    }
    if (file.risk.tiers || file.risk.route) {
      if (tiersFrom) {
        diags.error('risk_config', `risk tiers and routes are already defined in \`${tiersFrom}\``, file.risk.loc, 'define `tiers` and `route` once per action');
        continue;
      }
      tiersFrom = file.path;
      tiers = [...(file.risk.tiers ?? [])].sort((a, b) => a.min - b.min).map(({ name, min }) => ({ name, min }));
      const names = new Set(['low', ...tiers.map((t) => t.name)]);
      for (const r of file.risk.route ?? []) {
        if (!names.has(r.tier)) diags.error('risk_config', `route names tier \`${r.tier}\`, which \`tiers\` does not define`, r.loc, `tiers: ${[...names].map((n) => `\`${n}\``).join(', ')}`);
        else route.set(r.tier, r.outcome);
      }
    }
  }
  return { signals, tiers, route };
}

/** A file the registry names, read as YAML; undefined (with the error) when it is outside the policy or missing. */
function readPolicyFile(files: ReadonlyMap<string, string>, path: string, loc: SourceLoc, what: string, diags: Diagnostics): YamlFile | undefined {
  if (!insidePolicy(path)) {
    diags.error('path_outside_policy', `${what} \`${path}\` is outside the policy directory`, loc,
      `name ${what}s by paths relative to the directory of \`${REGISTRY_FILE}\`, such as \`rules/refund_order.yaml\``);
    return undefined;
  }
  const text = files.get(path);
  if (text === undefined) {
    diags.error('unknown_file', `${what} \`${path}\` does not exist`, loc);
    return undefined;
  }
  return new YamlFile(path, text, diags);
}

/** A relative path that stays inside the policy directory: no root, drive or backslash, and no `..` above the top. */
function insidePolicy(path: string): boolean {
  if (path.startsWith('/') || path.includes('\\') || /^[A-Za-z]:/.test(path)) return false;
  let depth = 0;
  for (const part of path.split('/')) {
    if (part === '..') depth--;
    else if (part !== '.' && part !== '') depth++;
    if (depth < 0) return false;
  }
  return true;
}

function checkPointer(pointer: string, loc: SourceLoc, slot: Parameters<typeof resolvePath>[0], ref: string, diags: Diagnostics): void {
  const steps = pointerSteps(pointer);
  const r = resolvePath(slot, steps);
  if (!r.ok) diags.error('invalid_pointer', `idempotency key \`${pointer}\` names a member that contract \`${ref}\` does not define`, loc);
  else if (r.slot.optional) diags.error('invalid_pointer', `idempotency key \`${pointer}\` names an optional member of contract \`${ref}\``, loc, 'the key must be present in every proposal: make the member required');
}

/** The review page reads these members; a pointer to nothing would show nothing, silently. */
function checkReviewPointers(review: ReviewSettings, contract: ContractUse, context: ContractUse | undefined, diags: Diagnostics): void {
  const check = (pointer: string, loc: SourceLoc, what: string, use: ContractUse | undefined) => {
    if (!use) diags.error('invalid_pointer', `${what} \`${pointer}\` reads the context, but the action has no context contract`, loc);
    else if (!resolvePath(use.slot, pointerSteps(pointer)).ok) diags.error('invalid_pointer', `${what} \`${pointer}\` names a member that contract \`${use.ref}\` does not define`, loc);
  };
  if (review.entity) check(review.entity.pointer, review.entity.loc, 'review `entity`', contract);
  for (const p of review.preview) {
    check(p.proposal, p.loc, 'review `preview`', contract);
    check(p.context, p.loc, 'review `preview` context', context);
  }
}

function duplicate(seen: Map<string, SourceLoc>, id: string, loc: SourceLoc, what: string, diags: Diagnostics): boolean {
  const first = seen.get(id);
  if (first) {
    diags.error('duplicate_id', `${what} id \`${id}\` is already used at ${first.file}:${first.line}:${first.col}`, loc);
    return true;
  }
  seen.set(id, loc);
  return false;
}

function uniqueNames<T extends NamedCondition | TableAst | DeriveAst>(defs: T[], what: string, diags: Diagnostics, reserved?: (d: T) => boolean): Map<string, T> {
  const out = new Map<string, T>();
  const seen = new Map<string, SourceLoc>();
  for (const d of defs) {
    if (reserved?.(d)) {
      diags.error('invalid_value', `\`${d.name}\` is a reserved name and cannot name a ${what}`, d.loc);
      continue;
    }
    if (!duplicate(seen, d.name, d.loc, what, diags)) out.set(d.name, d);
  }
  return out;
}

/** Positions, spellings and prose do not decide outcomes, so they are left out of the revision. */
const NOT_FUNCTIONAL = new Set(['loc', 'operatorLoc', 'fnLoc', 'source', 'description', 'written']);

/** What decides outcomes: the settings, every contract version served, the upgrades between them, and the rule files. */
function functional(actions: ActionAst[], compiled: CompiledAction[], files: Map<string, RuleFileAst | null>, exceptions: Map<string, ExceptionFileAst | null>, upgrades: Map<string, Upgrade>): unknown {
  const uses = compiled.flatMap((c) => [...[...c.versions.values()].map((v) => v.use), ...(c.context ? [c.context] : [])]);
  return {
    actions,
    contracts: Object.fromEntries(uses.map((c) => [c.ref, c.schema])),
    upgrades: Object.fromEntries(upgrades),
    rules: Object.fromEntries(files),
    ...(exceptions.size ? { exceptions: Object.fromEntries(exceptions) } : {}),
  };
}
