/**
 * YAML files with positions. js-yaml parses (YAML 1.2 core schema: `yes` and `2026-01-01` stay
 * strings, duplicate keys are errors), and its `listener` hook reports where each node opens and
 * closes, from which a tree of source spans is built beside the parsed value. That gives every
 * node a `file:line:col` at about a sixth of the memory of a full document model.
 *
 * Aliases share one parsed node, but everything that reads the value walks it expanded: nine
 * anchors of nine aliases each (a 700-byte file) are 387 million nodes to compile. A file whose
 * expanded size passes MAX_NODES is refused; the count is memoised per node, so it costs the
 * distinct nodes only.
 */
import { CORE_SCHEMA, load, type YAMLException } from 'js-yaml';
import { Diagnostics, didYouMean, type SourceLoc } from '../errors.js';
import { isObject } from '../values/json.js';

export interface SourceFile { path: string; text: string }

/** nodes a file may expand to, aliases counted each time they are used */
export const MAX_NODES = 100_000;

/** The value's node count with every alias expanded, or Infinity once it passes `limit`. */
function expandedSize(value: unknown, limit: number, seen = new Map<object, number>()): number {
  if (value === null || typeof value !== 'object') return 1;
  const known = seen.get(value);
  if (known !== undefined) return known;
  seen.set(value, Infinity);  // a cycle (a recursive alias) is refused too
  let n = 1;
  for (const v of Array.isArray(value) ? value : Object.values(value)) {
    n += expandedSize(v, limit, seen);
    if (n > limit) break;
  }
  const size = n > limit ? Infinity : n;
  seen.set(value, size);
  return size;
}

/** A parsed node: its value and where it is; `kids` are a sequence's items, or a mapping's keys and values alternately. */
export interface Span { value: unknown; start: number; end: number; kids: Span[] }

export class YamlFile {
  /** null for an empty document (only comments or blanks) or one that does not parse; `parsed` tells which */
  readonly root: Span | null = null;
  readonly parsed: boolean = false;
  private readonly lineStarts: number[] = [0];

  constructor(readonly path: string, readonly text: string, diags: Diagnostics) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
    const stack: { start: number; kids: Span[] }[] = [];
    let root: Span | null = null;
    try {
      load(text, {
        schema: CORE_SCHEMA,
        filename: path,
        listener: (event, state) => {
          if (event === 'open') {
            stack.push({ start: this.skipSpace(state.position), kids: [] });
            return;
          }
          const frame = stack.pop()!;
          const value = state.result as unknown;
          // A block entry holding a flow collection opens twice around one node: keep the inner one.
          const span = frame.kids.length === 1 && frame.kids[0]!.value === value ? frame.kids[0]! : { value, start: frame.start, end: state.position, kids: frame.kids };
          if (stack.length) stack.at(-1)!.kids.push(span);
          else root = span;
        },
      });
    } catch (e) {
      const err = e as YAMLException;
      const mark = err.mark as { line: number; column: number } | undefined;
      diags.error('yaml_syntax', (err.reason ?? err.message).toLowerCase(), { file: path, line: (mark?.line ?? 0) + 1, col: (mark?.column ?? 0) + 1 });
      return;
    }
    if (root !== null && expandedSize((root as Span).value, MAX_NODES) > MAX_NODES) {
      diags.error('yaml_too_large', `\`${path}\` expands, through its aliases, to more than ${MAX_NODES.toLocaleString('en')} nodes`, { file: path, line: 1, col: 1 },
        'write the repeated parts out, or split the file');
      return;
    }
    this.root = root;
    this.parsed = true;
  }

  /** Where a node starts: past the spaces, line breaks and comments before it. */
  private skipSpace(i: number): number {
    const t = this.text;
    while (i < t.length) {
      const c = t[i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
      else if (c === '#') { const nl = t.indexOf('\n', i); i = nl < 0 ? t.length : nl; }
      else break;
    }
    return i;
  }

  loc(offset: number): SourceLoc {
    let lo = 0, hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid; else hi = mid - 1;
    }
    return { file: this.path, line: lo + 1, col: offset - this.lineStarts[lo]! + 1 };
  }
}

/** A node with the file it came from, so readers can report positions. */
export interface At { file: YamlFile; node: Span }

export function at(file: YamlFile, node: Span): At {
  return { file, node };
}

export const locOf = (a: At): SourceLoc => a.file.loc(a.node.start);

/** Plain JSON value of a node (for proposals, contexts and literal values). */
export function plain(a: At): unknown {
  return a.node.value;
}

export function isMapNode(a: At): boolean { return isObject(a.node.value); }
export function isSeqNode(a: At): boolean { return Array.isArray(a.node.value); }
export function isScalarNode(a: At): boolean { return !isObject(a.node.value) && !Array.isArray(a.node.value); }

/** The scalar's value and its source spelling (`0.10` stays `0.10`). */
export function scalar(a: At): { value: unknown; source: string } | undefined {
  if (!isScalarNode(a)) return undefined;
  return { value: a.node.value, source: a.file.text.slice(a.node.start, a.node.end).trim() };
}

export interface Entry { key: string; keyAt: At; value: At }

/**
 * Reads a mapping, reporting keys outside `allowed` (with a did-you-mean) and absent `required`
 * keys. Returns undefined, after reporting, when the node is not a mapping or lacks a required
 * key, so every key in `required` is present in a map it returns.
 */
export function readMap(a: At, what: string, diags: Diagnostics, allowed?: readonly string[], required: readonly string[] = []): Map<string, Entry> | undefined {
  if (!isMapNode(a)) {
    diags.error('invalid_value', `${what} must be a mapping`, locOf(a));
    return undefined;
  }
  const out = new Map<string, Entry>();
  const kids = a.node.kids;
  for (let i = 0; i + 1 < kids.length; i += 2) {
    const keyAt = at(a.file, kids[i]!);
    const key = String(keyAt.node.value);
    if (allowed && !allowed.includes(key)) {
      const hint = didYouMean(key, allowed);
      diags.error('unknown_key', `${what} has unknown key \`${key}\``, locOf(keyAt),
        hint ? `did you mean \`${hint}\`?` : `allowed keys: ${allowed.map((k) => `\`${k}\``).join(', ')}`);
      continue;
    }
    out.set(key, { key, keyAt, value: at(a.file, kids[i + 1]!) });
  }
  // Callers read required keys without checking, so a map that lacks one is not returned.
  const missing = required.filter((k) => !out.has(k));
  for (const k of missing) diags.error('missing_key', `${what} needs \`${k}\``, locOf(a));
  return missing.length ? undefined : out;
}

export function readSeq(a: At, what: string, diags: Diagnostics): At[] | undefined {
  if (!isSeqNode(a)) {
    diags.error('invalid_value', `${what} must be a list`, locOf(a));
    return undefined;
  }
  return a.node.kids.map((n) => at(a.file, n));
}

export function readString(a: At, what: string, diags: Diagnostics): string | undefined {
  if (typeof a.node.value !== 'string') {
    diags.error('invalid_value', `${what} must be a string`, locOf(a));
    return undefined;
  }
  return a.node.value;
}

export function readNumber(a: At, what: string, diags: Diagnostics): number | undefined {
  const v = a.node.value;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    diags.error('invalid_value', `${what} must be a number`, locOf(a));
    return undefined;
  }
  return v;
}

export function readEnum<T extends string>(a: At, what: string, values: readonly T[], diags: Diagnostics): T | undefined {
  const v = a.node.value;
  if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
  const got = isScalarNode(a) ? String(v) : '';
  const hint = didYouMean(got, values);
  diags.error('invalid_value', `${what} must be one of ${values.map((x) => `\`${x}\``).join(', ')}${isScalarNode(a) ? `, not \`${got}\`` : ''}`, locOf(a),
    hint ? `did you mean \`${hint}\`?` : undefined);
  return undefined;
}

/** A list of strings, or a single string read as a one-element list. */
export function readStrings(a: At, what: string, diags: Diagnostics): string[] | undefined {
  if (isScalarNode(a)) {
    const one = readString(a, what, diags);
    return one === undefined ? undefined : [one];
  }
  const items = readSeq(a, what, diags);
  if (!items) return undefined;
  const out: string[] = [];
  for (const item of items) {
    const s = readString(item, `each of ${what}`, diags);
    if (s !== undefined) out.push(s);
  }
  return out;
}
