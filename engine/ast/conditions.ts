/**
 * Parses conditions and expressions. Conditions use the json-rules-engine vocabulary (`all`,
 * `any`, `not`, `condition`, and `fact` + `path` + `operator` + `value`) plus the quantifiers
 * `some`, `every` and `none`. Expressions are derived-fact formulas such as
 * `{ divide: [proposal.amount, context.order.total] }`.
 */
import { didYouMean, type Diagnostics } from '../errors.js';
import { FUNCTION_NAMES } from '../functions/names.js';
import { isMapNode, isScalarNode, isSeqNode, locOf, plain, readMap, readSeq, readString, scalar, type At } from '../source/yaml.js';
import type { CondAst, ExprAst, FactRefAst } from './types.js';

const FORMS = ['all', 'any', 'not', 'condition', 'fact', 'some', 'every', 'none'] as const;
const LEAF_KEYS = ['fact', 'path', 'operator', 'value', 'name'] as const;
const TYPED = ['duration', 'date', 'instant'] as const;
const AGG_KEYS = ['over', 'of', 'where', 'as'] as const;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseCondition(a: At, diags: Diagnostics): CondAst | undefined {
  const loc = locOf(a);
  const m = readMap(a, 'a condition', diags);
  if (!m) return undefined;
  const form = FORMS.find((f) => m.has(f));
  if (!form) {
    const first = [...m.keys()][0] ?? '';
    const hint = didYouMean(first, FORMS);
    diags.error('missing_key', `a condition needs one of ${FORMS.map((f) => `\`${f}\``).join(', ')}`, loc,
      hint ? `did you mean \`${hint}\`?` : undefined);
    return undefined;
  }
  const label = m.get('name') && readString(m.get('name')!.value, 'condition `name`', diags);
  const labelled = label !== undefined ? { label } : {};
  switch (form) {
    case 'all':
    case 'any': {
      if (!readMap(a, `an \`${form}\` condition`, diags, [form, 'name'])) return undefined;
      const list = readSeq(m.get(form)!.value, `\`${form}\``, diags);
      if (!list) return undefined;
      const items = list.map((x) => parseCondition(x, diags));
      if (items.some((x) => x === undefined)) return undefined;
      return { kind: form, items: items as CondAst[], loc, ...labelled };
    }
    case 'not': {
      if (!readMap(a, 'a `not` condition', diags, ['not', 'name'])) return undefined;
      const item = parseCondition(m.get('not')!.value, diags);
      return item && { kind: 'not', item, loc, ...labelled };
    }
    case 'condition': {
      if (!readMap(a, 'a condition reference', diags, ['condition'])) return undefined;
      const name = readString(m.get('condition')!.value, '`condition`', diags);
      return name === undefined ? undefined : { kind: 'ref', name, loc: locOf(m.get('condition')!.value) };
    }
    case 'fact': {
      if (!readMap(a, 'a condition', diags, LEAF_KEYS, ['operator'])) return undefined;
      const factAt = m.get('fact')!.value;
      let fact: ExprAst | undefined;
      if (isMapNode(factAt)) {
        fact = m.has('path') ? undefined : parseExpr(factAt, 'arg', diags);
        if (m.has('path')) diags.error('invalid_value', '`path` goes with a fact name, not with a computed `fact`', locOf(m.get('path')!.value));
      } else {
        const ref = factRef(a, factAt, m.get('path')?.value, diags);
        fact = ref && { kind: 'fact', ref, loc: ref.loc };
      }
      const opAt = m.get('operator');
      const operator = opAt && readString(opAt.value, '`operator`', diags);
      const valueAt = m.get('value');
      const value = valueAt ? parseExpr(valueAt.value, 'value', diags) : undefined;
      if (!fact || operator === undefined || (valueAt && !value)) return undefined;
      return { kind: 'leaf', fact, operator, operatorLoc: locOf(opAt!.value), loc, ...(value ? { value } : {}), ...labelled };
    }
    default: {
      if (!readMap(a, `a \`${form}\` condition`, diags, [form, 'as', 'where', 'name'], ['where'])) return undefined;
      const over = parseExpr(m.get(form)!.value, 'arg', diags);
      const as = m.get('as') ? readIdent(m.get('as')!.value, '`as`', diags) : 'item';
      const where = m.get('where') && parseCondition(m.get('where')!.value, diags);
      if (!over || !as || !where) return undefined;
      return { kind: 'quant', q: form, over, as, where, loc, ...labelled };
    }
  }
}

function factRef(owner: At, factAt: At, pathAt: At | undefined, diags: Diagnostics): FactRefAst | undefined {
  const name = readString(factAt, '`fact`', diags);
  const path = pathAt && readString(pathAt, '`path`', diags);
  if (name === undefined || (pathAt && path === undefined)) return undefined;
  return { name, ...(path !== undefined ? { path } : {}), loc: locOf(pathAt ?? factAt ?? owner) };
}

function readIdent(a: At, what: string, diags: Diagnostics): string | undefined {
  const s = readString(a, what, diags);
  if (s !== undefined && !IDENT.test(s)) {
    diags.error('invalid_value', `${what} must be a plain name, not \`${s}\``, locOf(a));
    return undefined;
  }
  return s;
}

/**
 * An operand. In `value` position (json-rules-engine) a bare string or list is a literal; inside
 * a function call (`arg`) a bare string names a fact, or whatever the function's parameter says.
 */
export function parseExpr(a: At, position: 'value' | 'arg', diags: Diagnostics): ExprAst | undefined {
  const loc = locOf(a);
  if (isScalarNode(a)) {
    const s = scalar(a)!;
    if (position === 'arg' && typeof s.value === 'string') return { kind: 'name', text: s.value, loc };
    return { kind: 'lit', value: s.value, source: s.source, loc };
  }
  if (isSeqNode(a)) {
    if (position === 'value') return { kind: 'lit', value: plain(a), loc };
    diags.error('invalid_value', 'a list is not an operand here', loc, 'pass lists to a function such as `concat`, or give a fact');
    return undefined;
  }
  if (!isMapNode(a)) return undefined;
  const m = readMap(a, 'an operand', diags)!;
  const keys = [...m.keys()];
  if (m.has('fact')) {
    if (!readMap(a, 'a fact operand', diags, ['fact', 'path'])) return undefined;
    const ref = factRef(a, m.get('fact')!.value, m.get('path')?.value, diags);
    return ref && { kind: 'fact', ref, loc };
  }
  if (keys.length !== 1) {
    diags.error('invalid_value', `an operand must have exactly one key, not ${keys.map((k) => `\`${k}\``).join(', ')}`, loc,
      'write a function as `{ add: [a, b] }`, a fact as `{ fact: proposal.amount }`, a literal as `{ value: … }`');
    return undefined;
  }
  const key = keys[0] as string;
  const body = m.get(key)!.value;
  const fnLoc = locOf(m.get(key)!.keyAt);
  if (key === 'value') return { kind: 'lit', value: plain(body), loc };
  if ((TYPED as readonly string[]).includes(key) && !isConversion(key, body)) {
    const text = readString(body, `\`${key}\``, diags);
    return text === undefined ? undefined : { kind: 'typed', as: key as (typeof TYPED)[number], text, loc };
  }
  if (!FUNCTION_NAMES.includes(key)) {
    const hint = didYouMean(key, [...FUNCTION_NAMES, 'fact', 'value', ...TYPED]);
    diags.error('unknown_function', `unknown function \`${key}\``, fnLoc,
      hint ? `did you mean \`${hint}\`?` : 'a literal object is written `{ value: { … } }`');
    return undefined;
  }
  if (isMapNode(body) && readMap(body, 'x', diags)?.has('over')) return parseAggregate(key, body, loc, fnLoc, diags);
  const rawArgs = isSeqNode(body) ? readSeq(body, `\`${key}\` arguments`, diags)! : [body];
  const args = rawArgs.map((x) => parseExpr(x, 'arg', diags));
  if (args.some((x) => x === undefined)) return undefined;
  return { kind: 'call', fn: key, args: args as ExprAst[], loc, fnLoc };
}

/**
 * `date` and `instant` are typed literals (`{ date: 2026-01-31 }`) and conversions
 * (`{ date: proposal.due }`): a literal is text that does not start with a letter, as every date
 * and date-time does not; a name, a list of arguments or a computed argument is a conversion.
 */
function isConversion(key: string, body: At): boolean {
  if (!FUNCTION_NAMES.includes(key)) return false;
  const text = isScalarNode(body) ? scalar(body)?.value : undefined;
  return !isScalarNode(body) || (typeof text === 'string' && /^[A-Za-z_]/.test(text));
}

function parseAggregate(fn: string, body: At, loc: ExprAst['loc'], fnLoc: ExprAst['loc'], diags: Diagnostics): ExprAst | undefined {
  const m = readMap(body, `\`${fn}\``, diags, AGG_KEYS, ['over']);
  if (!m) return undefined;
  const over = parseExpr(m.get('over')!.value, 'arg', diags);
  const of = m.get('of') && readString(m.get('of')!.value, '`of`', diags);
  const where = m.get('where') && parseCondition(m.get('where')!.value, diags);
  const as = m.get('as') ? readIdent(m.get('as')!.value, '`as`', diags) : 'item';
  if (!over || !as || (m.has('where') && !where) || (m.has('of') && of === undefined)) return undefined;
  return { kind: 'agg', fn, over, as, loc, fnLoc, ...(of !== undefined ? { of } : {}), ...(where ? { where } : {}) };
}
