/** A decision drawn for people: reasons, risk, and each rule's condition as a tree with the values compared. */
import type { Decision } from '../decide/types.js';
import type { TraceNode, TraceResult } from './types.js';

const MARK: Record<string, string> = { true: '✓', false: '✗', unknown: '?', error: '!', not_evaluated: '·', fired: '✓', not_fired: '✗' };

const mark = (r: TraceResult | string) => MARK[String(r)] ?? '?';
const show = (v: unknown) => (v === undefined ? '' : v === null ? '<missing>' : JSON.stringify(v));

export function renderDecision(d: Decision): string {
  const lines: string[] = [];
  lines.push(`${d.action} → ${d.outcome.toUpperCase()}`);
  const sent = d.receivedContract !== d.contract ? ` (sent as ${d.receivedContract})` : '';
  lines.push(`  revision ${d.revision.slice(0, 19)}…  contract ${d.contract}${sent}${d.context ? `  context ${d.context}` : ''}  engine ${d.engine}  now ${d.now}`);
  if (d.reasons.length) {
    lines.push('reasons');
    for (const r of d.reasons) lines.push(`  ${r.outcome.padEnd(7)}${r.rule ? `${r.rule}: ` : ''}${r.message}`);
  }
  if (d.errors.length) {
    lines.push('errors');
    for (const e of d.errors) lines.push(`  ${e.code}${e.pointer ? ` ${e.pointer}` : ''}${e.rule ? ` (rule ${e.rule})` : ''}: ${e.message}`);
  }
  lines.push(`risk  score ${d.risk.score} · tier ${d.risk.tier}`);
  if (d.shadow.outcome !== d.outcome) lines.push(`shadow rules would make it ${d.shadow.outcome.toUpperCase()}`);
  const t = d.trace;
  if (!t) return lines.join('\n');
  if (t.contract) lines.push('contract');
  for (const c of t.contract ?? []) {
    const ok = c.result === 'valid' || c.result === 'applied';
    lines.push(c.step === 'validate' ? `  ${ok ? '✓' : '✗'} checked against ${c.contract}: ${c.result}` : `  ${ok ? '✓' : '✗'} upgraded from ${c.from} to ${c.to}: ${c.result}`);
    if (c.step === 'upgrade') for (const change of c.changes) lines.push(`      ${change}`);
  }
  if (t.rules.length) lines.push(t.level === 'full' ? 'rules' : 'rules that decided');
  for (const r of t.rules) {
    lines.push(`  ${mark(r.result)} ${r.rule}  [${r.outcome}${r.mode === 'shadow' ? ', shadow' : ''}] ${r.result.replace('_', ' ')}`);
    tree(r.when, '    ', lines);
  }
  if (t.signals.length) lines.push('risk signals');
  for (const s of t.signals) {
    lines.push(`  ${mark(s.result)} ${s.signal}  +${s.points} ${s.result.replace('_', ' ')}`);
    tree(s.when, '    ', lines);
  }
  return lines.join('\n');
}

function tree(node: TraceNode, indent: string, lines: string[], last = true, prefix = ''): void {
  const branch = prefix === '' && indent !== '' ? '└─ ' : last ? '└─ ' : '├─ ';
  lines.push(`${indent}${prefix}${branch}${mark(node.result)} ${label(node)}`);
  const childPrefix = prefix + (last ? '   ' : '│  ');
  const kids = children(node);
  kids.forEach((k, i) => tree(k, indent, lines, i === kids.length - 1, childPrefix));
}

function children(node: TraceNode): TraceNode[] {
  switch (node.kind) {
    case 'leaf': return [];
    case 'condition': return [node.item];
    case 'some': case 'every': case 'none': return node.elements.map((e) => e.where);
    default: return node.items;
  }
}

function label(node: TraceNode): string {
  const name = 'label' in node && node.label ? ` (${node.label})` : '';
  switch (node.kind) {
    case 'leaf': {
      const read = node.result === 'not_evaluated' ? node.fact : `${node.fact} = ${show(node.value)}`;
      const expected = node.expectedFact ? `${node.expectedFact}${node.expected !== undefined ? ` = ${show(node.expected)}` : ''}` : show(node.expected);
      const tail = node.result === 'not_evaluated' ? '  (not evaluated)' : node.error ? `  (${node.error.code}: ${node.error.message})` : '';
      return `${read}  ${node.operator}${expected ? ` ${expected}` : ''}${tail}${name}`;
    }
    case 'condition': return `condition ${node.name}`;
    case 'some': case 'every': case 'none':
      return `${node.kind} of ${node.over}${node.count !== undefined ? ` (${node.count} element${node.count === 1 ? '' : 's'})` : ''}${name}`;
    default: return `${node.kind}${name}`;
  }
}
