/**
 * YAML files with positions. The `yaml` package (not js-yaml) is used because it keeps a source
 * range on every node, which is what `file:line:col` diagnostics need.
 */
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import { Diagnostics, didYouMean, type SourceLoc } from '../errors.js';

export interface SourceFile { path: string; text: string }

export type { Node };

export class YamlFile {
  readonly root: Node | null = null;
  private readonly lines = new LineCounter();

  constructor(readonly path: string, text: string, diags: Diagnostics) {
    const doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true, version: '1.2' });
    for (const e of doc.errors) {
      const at = this.lines.linePos(e.pos[0]);
      const message = e.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? e.message;
      diags.error('yaml_syntax', message.charAt(0).toLowerCase() + message.slice(1), { file: path, line: at.line, col: at.col });
    }
    if (doc.errors.length === 0) this.root = (doc.contents as Node | null) ?? null;
  }

  loc(node: Node | null | undefined): SourceLoc {
    const at = this.lines.linePos(node?.range?.[0] ?? 0);
    return { file: this.path, line: at.line, col: at.col };
  }
}

/** A node with the file it came from, so readers can report positions. */
export interface At { file: YamlFile; node: Node }

export function at(file: YamlFile, node: Node): At {
  return { file, node };
}

export const locOf = (a: At): SourceLoc => a.file.loc(a.node);

/** Plain JSON value of a node (for proposals, contexts and literal values). */
export function plain(a: At): unknown {
  return a.node.toJSON();
}

export function isMapNode(a: At): boolean { return isMap(a.node); }
export function isSeqNode(a: At): boolean { return isSeq(a.node); }
export function isScalarNode(a: At): boolean { return isScalar(a.node); }

/** The scalar's value and its source spelling (`0.10` stays `0.10`). */
export function scalar(a: At): { value: unknown; source: string } | undefined {
  if (!isScalar(a.node)) return undefined;
  const s = a.node as Scalar;
  return { value: s.value, source: s.source ?? String(s.value) };
}

export interface Entry { key: string; keyAt: At; value: At }

/**
 * Reads a mapping, reporting keys outside `allowed` (with a did-you-mean) and absent `required`
 * keys. Returns undefined, after reporting, when the node is not a mapping.
 */
export function readMap(a: At, what: string, diags: Diagnostics, allowed?: readonly string[], required: readonly string[] = []): Map<string, Entry> | undefined {
  if (!isMap(a.node)) {
    diags.error('invalid_value', `${what} must be a mapping`, locOf(a));
    return undefined;
  }
  const out = new Map<string, Entry>();
  for (const pair of (a.node as YAMLMap).items as Pair<Node, Node>[]) {
    const keyNode = pair.key;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    const keyAt = at(a.file, keyNode);
    if (allowed && !allowed.includes(key)) {
      const hint = didYouMean(key, allowed);
      diags.error('unknown_key', `${what} has unknown key \`${key}\``, locOf(keyAt),
        hint ? `did you mean \`${hint}\`?` : `allowed keys: ${allowed.map((k) => `\`${k}\``).join(', ')}`);
      continue;
    }
    const valueNode = pair.value ?? keyNode;
    out.set(key, { key, keyAt, value: at(a.file, pair.value ?? valueNode) });
  }
  for (const k of required) {
    if (!out.has(k)) diags.error('missing_key', `${what} needs \`${k}\``, locOf(a));
  }
  return out;
}

export function readSeq(a: At, what: string, diags: Diagnostics): At[] | undefined {
  if (!isSeq(a.node)) {
    diags.error('invalid_value', `${what} must be a list`, locOf(a));
    return undefined;
  }
  return (a.node.items as Node[]).map((n) => at(a.file, n));
}

export function readString(a: At, what: string, diags: Diagnostics): string | undefined {
  const s = scalar(a);
  if (!s || typeof s.value !== 'string') {
    diags.error('invalid_value', `${what} must be a string`, locOf(a));
    return undefined;
  }
  return s.value;
}

export function readNumber(a: At, what: string, diags: Diagnostics): number | undefined {
  const s = scalar(a);
  if (!s || typeof s.value !== 'number' || !Number.isFinite(s.value)) {
    diags.error('invalid_value', `${what} must be a number`, locOf(a));
    return undefined;
  }
  return s.value;
}

export function readEnum<T extends string>(a: At, what: string, values: readonly T[], diags: Diagnostics): T | undefined {
  const s = scalar(a);
  if (s && typeof s.value === 'string' && (values as readonly string[]).includes(s.value)) return s.value as T;
  const got = s ? String(s.value) : '';
  const hint = didYouMean(got, values);
  diags.error('invalid_value', `${what} must be one of ${values.map((v) => `\`${v}\``).join(', ')}${s ? `, not \`${got}\`` : ''}`, locOf(a),
    hint ? `did you mean \`${hint}\`?` : undefined);
  return undefined;
}

/** A list of strings, or a single string read as a one-element list. */
export function readStrings(a: At, what: string, diags: Diagnostics): string[] | undefined {
  if (isScalar(a.node)) {
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
