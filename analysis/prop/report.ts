/**
 * A counterexample as a test case to paste under `cases:` of the action's test file: written as
 * changes to that file's `defaults` (members that differ, and `unset` for those it lacks), so
 * merging it with the defaults gives back exactly the input that failed.
 */
import { dump } from 'js-yaml';
import { escapeToken, isObject } from '../../engine/internal.js';
import type { TestFile } from '../policy-tests/cases.js';
import type { CheckFailed } from './run.js';


/** What to write over `base` (and which pointers to unset) to get `value`. */
export function overDefaults(base: unknown, value: unknown, at: string): { over?: unknown; unset: string[] } {
  if (isObject(base) && isObject(value)) {
    const over: Record<string, unknown> = {};
    const unset: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      const d = k in base ? overDefaults(base[k], v, `${at}/${escapeToken(k)}`) : { over: v, unset: [] };
      if (d.over !== undefined) over[k] = d.over;
      unset.push(...d.unset);
    }
    for (const k of Object.keys(base)) if (!(k in value)) unset.push(`${at}/${escapeToken(k)}`);
    return { ...(Object.keys(over).length ? { over } : {}), unset };
  }
  return JSON.stringify(base) === JSON.stringify(value) ? { unset: [] } : { over: value, unset: [] };
}

/** The case as YAML, indented for a `cases:` list of `file` (the action's test file, when it has one). */
export function testCaseYaml(f: Pick<CheckFailed, 'input' | 'expect'>, name: string, now: string, file: TestFile | undefined): string {
  const defaults = file?.defaults;
  const c: Record<string, unknown> = { name };
  const unset: string[] = [];
  for (const part of ['proposal', 'context'] as const) {
    const value = f.input[part];
    if (value === undefined) continue;
    const d = overDefaults(defaults?.[part], value, `/${part}`);
    if (d.over !== undefined) c[part] = d.over;
    unset.push(...d.unset);
  }
  if (unset.length) c.unset = unset;
  c.now = now;
  c.expect = { outcome: f.expect.outcome, ...(f.expect.errors ? { errors: f.expect.errors } : {}) };
  return dump([c], { flowLevel: 2, lineWidth: -1, noRefs: true }).trimEnd().split('\n').map((l) => `  ${l}`).join('\n');
}
