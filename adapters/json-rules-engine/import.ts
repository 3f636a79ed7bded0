/**
 * Converts json-rules-engine rules into an Arbiter rule file. Conditions are kept as written (the
 * vocabulary is shared); what changes is the envelope: `name` becomes `id`, `event.type` maps to
 * an outcome, `event.params.message` (or `reason`) becomes the reason, and `priority`, which
 * cannot change an Arbiter outcome, is dropped. Accepts one rule, a list of rules, or
 * `{ rules: [...], conditions: { name: condition } }` for shared conditions (`engine.setCondition`).
 */
import { dump } from 'js-yaml';
import { isObject } from '../../engine/internal.js';

export interface ImportResult { yaml: string; rules: number; warnings: string[] }

export class ImportError extends Error {}

type Json = Record<string, unknown>;

const ID = /[^A-Za-z0-9_.-]+/g;

export function importJre(input: unknown, outcomes: Readonly<Record<string, 'reject' | 'review'>>, source = 'json-rules-engine rules'): ImportResult {
  const bundle = Array.isArray(input) ? { rules: input } : isObject(input) && Array.isArray(input.rules) ? input : { rules: [input] };
  const warnings: string[] = [];
  const map = { reject: 'reject', review: 'review', ...outcomes } as Record<string, 'reject' | 'review'>;
  const unmapped = new Set<string>();
  const ids = new Set<string>();
  const rules = (bundle.rules as unknown[]).map((r, i) => {
    if (!isObject(r) || !isObject(r.conditions) || !isObject(r.event)) throw new ImportError(`rule ${i + 1} is not a json-rules-engine rule: it needs \`conditions\` and \`event\``);
    const type = String(r.event.type ?? '');
    const outcome = map[type];
    if (!outcome) unmapped.add(type);
    let id = typeof r.name === 'string' && r.name !== '' ? r.name.replace(ID, '_') : `rule_${i + 1}`;
    while (ids.has(id)) id += '_';
    ids.add(id);
    if (r.priority !== undefined) warnings.push(`rule \`${id}\`: \`priority\` dropped; rule order never changes an Arbiter outcome`);
    if (r.onSuccess !== undefined || r.onFailure !== undefined) warnings.push(`rule \`${id}\`: \`onSuccess\`/\`onFailure\` callbacks dropped`);
    const params = isObject(r.event.params) ? r.event.params : {};
    const reason = typeof params.message === 'string' ? params.message : typeof params.reason === 'string' ? params.reason : undefined;
    return { id, outcome: outcome ?? 'review', when: condition(r.conditions, id, warnings), ...(reason !== undefined ? { reason } : {}) };
  });
  if (unmapped.size) {
    throw new ImportError(`event types ${[...unmapped].map((t) => `\`${t}\``).join(', ')} have no outcome; map each with \`--outcome TYPE=reject\` or \`--outcome TYPE=review\``);
  }
  const conditions = isObject(bundle.conditions)
    ? Object.fromEntries(Object.entries(bundle.conditions).map(([k, v]) => [k, condition(v, `condition ${k}`, warnings)]))
    : undefined;
  const doc = { version: 1, ...(conditions ? { conditions } : {}), rules };
  const header = `# yaml-language-server: $schema=../node_modules/arbiter-gate/schemas/meta/rules.schema.json\n# Imported from ${source} by \`arbiter import\`. Bare fact names read the proposal, then the context;\n# run \`arbiter check\` to check every fact and operand against the action's contracts.\n`;
  return { yaml: header + dump(doc, { lineWidth: -1, noRefs: true }), rules: rules.length, warnings };
}

/** The condition as written, minus `priority` (which Arbiter does not use) at every level. */
function condition(c: unknown, where: string, warnings: string[]): unknown {
  if (Array.isArray(c)) return c.map((x) => condition(x, where, warnings));
  if (!isObject(c)) return c;
  const out: Json = {};
  for (const [k, v] of Object.entries(c)) {
    if (k === 'priority') continue;
    if (k === 'params') {
      warnings.push(`${where}: fact \`params\` dropped; Arbiter facts are data, not functions`);
      continue;
    }
    out[k] = k === 'all' || k === 'any' || k === 'not' ? condition(v, where, warnings) : v;
  }
  return out;
}
