/**
 * The canonical form of a policy YAML file (registry, rules, tests, invariants, upgrades): the
 * `yaml` package's document printer with fixed options, so comments, blank lines between entries,
 * quoting and the block or flow style of each collection stay as written, and only spacing,
 * indentation and comment alignment are made uniform. A formatting that would change the data the
 * file holds is refused rather than written.
 */
import { isDeepStrictEqual } from 'node:util';
import { parseDocument, type ToStringOptions } from 'yaml';

const PRINT: ToStringOptions = { indent: 2, indentSeq: true, lineWidth: 0, minContentWidth: 0, flowCollectionPadding: true };

export type Formatted = { ok: true; text: string } | { ok: false; line: number; col: number; message: string };

export function formatYaml(text: string): Formatted {
  const doc = parseDocument(text);
  const problem = doc.errors[0];
  if (problem) {
    const [line, col] = problem.linePos?.[0] ? [problem.linePos[0].line, problem.linePos[0].col] : [1, 1];
    return { ok: false, line, col, message: `not valid YAML: ${problem.message.split('\n')[0]!.replace(/ at line \d+, column \d+:$/, '').toLowerCase()}` };
  }
  const out = doc.toString(PRINT);
  const again = parseDocument(out);
  if (again.errors.length || !isDeepStrictEqual(again.toJS(), doc.toJS())) {
    return { ok: false, line: 1, col: 1, message: 'formatting would change what the file says; it was left as it is (please report this file)' };
  }
  return { ok: true, text: out };
}
