/**
 * Test files (`*.test.yaml`): named cases, each a proposal (and context, and `now`, and the
 * contract version the proposal is written to, when not the current one) with the
 * expected outcome, the rules expected to fire, and optionally the expected reasons. Cases are
 * written as changes to the file's `defaults`: members are merged in (lists replace), and `unset`
 * removes members by JSON Pointer.
 */
import { Diagnostics, type SourceLoc } from '../../engine/internal.js';
import { at, locOf, plain, readEnum, readMap, readSeq, readString, readStrings, YamlFile, type At } from '../../engine/internal.js';
import { isObject, pointerSteps } from '../../engine/internal.js';

export interface Expect {
  outcome: 'approve' | 'review' | 'reject';
  /** ids of every rule (enforce or shadow) expected to fire, in any order */
  fired?: string[];
  /** rendered reason messages, in the decision's order */
  reasons?: string[];
  riskTier?: string;
  /** error codes expected in `errors` (contract or rule errors), in any order */
  errors?: string[];
}

export interface TestCase {
  name: string;
  loc: SourceLoc;
  action: string;
  proposal: unknown;
  context?: unknown;
  /** the contract version the proposal is written to, when not the action's current one */
  contract?: string;
  now: string;
  expect: Expect;
}

export interface TestFile {
  path: string;
  action: string;
  actionLoc: SourceLoc;
  /** what each case is written as changes to */
  defaults: { proposal?: unknown; context?: unknown };
  cases: TestCase[];
}

const TOP = ['action', 'now', 'defaults', 'cases'] as const;
const CASE = ['name', 'contract', 'proposal', 'context', 'now', 'unset', 'expect'] as const;
const EXPECT = ['outcome', 'fired', 'reasons', 'risk_tier', 'errors'] as const;

const isTestFile = (path: string) => path.startsWith('rules/') && /\.test\.ya?ml$/.test(path);

/** The test files held in `files` (path → text, as the compiler takes them), parsed; problems go to `diags`. */
export function testFilesOf(files: ReadonlyMap<string, string>, diags: Diagnostics): TestFile[] {
  return [...files.keys()].filter(isTestFile).sort().map((p) => parseTestFile(p, files.get(p)!, diags)).filter((f): f is TestFile => f !== undefined);
}

export function parseTestFile(path: string, text: string, diags: Diagnostics): TestFile | undefined {
  const file = new YamlFile(path, text, diags);
  if (!file.root) return undefined;
  const top = readMap(at(file, file.root), 'a test file', diags, TOP, ['action', 'cases']);
  if (!top) return undefined;
  const action = readString(top.get('action')!.value, '`action`', diags);
  const now = top.get('now') && nowOf(top.get('now')!.value, diags);
  const defaults = top.get('defaults') && readMap(top.get('defaults')!.value, '`defaults`', diags, ['proposal', 'context']);
  const base = { proposal: defaults?.get('proposal') && plain(defaults.get('proposal')!.value), context: defaults?.get('context') && plain(defaults.get('context')!.value) };
  const cases: TestCase[] = [];
  for (const c of readSeq(top.get('cases')!.value, '`cases`', diags) ?? []) {
    const tc = parseCase(c, action ?? '', now, base, diags);
    if (tc) cases.push(tc);
  }
  if (action === undefined) return undefined;
  return { path, action, actionLoc: locOf(top.get('action')!.value), defaults: base, cases };
}

function nowOf(a: At, diags: Diagnostics): string | undefined {
  const v = plain(a);
  if (typeof v === 'string') return v;
  diags.error('invalid_value', '`now` must be an RFC 3339 date-time string, such as "2026-11-21T10:00:00Z"', locOf(a));
  return undefined;
}

function parseCase(a: At, action: string, fileNow: string | undefined, base: { proposal: unknown; context: unknown }, diags: Diagnostics): TestCase | undefined {
  const m = readMap(a, 'a test case', diags, CASE, ['name', 'expect']);
  if (!m) return undefined;
  const name = readString(m.get('name')!.value, 'case `name`', diags);
  const now = m.get('now') ? nowOf(m.get('now')!.value, diags) : fileNow;
  if (name !== undefined && now === undefined) diags.error('missing_key', `case \`${name}\` has no \`now\`, and the file sets none`, locOf(a));
  const doc: Record<string, unknown> = {
    proposal: merge(base.proposal, m.get('proposal') && plain(m.get('proposal')!.value)),
    context: merge(base.context, m.get('context') && plain(m.get('context')!.value)),
  };
  for (const pointer of (m.get('unset') && readStrings(m.get('unset')!.value, '`unset`', diags)) ?? []) {
    if (!unset(doc, pointer)) diags.error('invalid_value', `\`unset\` pointer \`${pointer}\` names nothing in the case`, locOf(m.get('unset')!.value), 'pointers start at the case: `/proposal/metadata`, `/context/order/total`');
  }
  const expect = parseExpect(m.get('expect')!.value, diags);
  const contract = m.get('contract') && readString(m.get('contract')!.value, 'case `contract`', diags);
  if (name === undefined || now === undefined || !expect) return undefined;
  return {
    name, loc: locOf(a), action, now, expect, proposal: doc.proposal,
    ...(doc.context !== undefined ? { context: doc.context } : {}),
    ...(contract !== undefined ? { contract } : {}),
  };
}

function parseExpect(a: At, diags: Diagnostics): Expect | undefined {
  const m = readMap(a, '`expect`', diags, EXPECT, ['outcome']);
  if (!m) return undefined;
  const outcome = readEnum(m.get('outcome')!.value, 'expected `outcome`', ['approve', 'review', 'reject'] as const, diags);
  const list = (k: string) => (m.get(k) ? readStrings(m.get(k)!.value, `expected \`${k}\``, diags) : undefined);
  const fired = list('fired'), reasons = list('reasons'), errors = list('errors');
  const riskTier = m.get('risk_tier') && readString(m.get('risk_tier')!.value, 'expected `risk_tier`', diags);
  if (!outcome) return undefined;
  return { outcome, ...(fired ? { fired } : {}), ...(reasons ? { reasons } : {}), ...(errors ? { errors } : {}), ...(riskTier !== undefined ? { riskTier } : {}) };
}

/** Deep merge of plain objects; lists and scalars in `over` replace what `base` has. */
export function merge(base: unknown, over: unknown): unknown {
  if (over === undefined) return clone(base);
  if (isObject(base) && isObject(over)) {
    const out: Record<string, unknown> = clone(base) as Record<string, unknown>;
    for (const [k, v] of Object.entries(over)) out[k] = merge(out[k], v);
    return out;
  }
  return clone(over);
}

function clone(v: unknown): unknown {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
}

/** Removes the member a JSON Pointer names; false when there is none. */
export function unset(doc: Record<string, unknown>, pointer: string): boolean {
  const steps = pointerSteps(pointer);
  let o: unknown = doc;
  for (const step of steps.slice(0, -1)) {
    if (!isObject(o) && !Array.isArray(o)) return false;
    o = (o as Record<string, unknown>)[step];
  }
  const last = steps.at(-1);
  if (last === undefined) return false;
  if (Array.isArray(o) && /^\d+$/.test(last) && Number(last) < o.length) {
    o.splice(Number(last), 1);
    return true;
  }
  if (!isObject(o) || !(last in o)) return false;
  delete o[last];
  return true;
}
