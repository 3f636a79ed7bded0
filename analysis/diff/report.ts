/** `arbiter diff`'s report for people. */
import type { ActionBehaviour, DirectionExample } from './behaviour.js';
import type { Change } from './structure.js';

export interface DiffReport {
  base: { ref: string; revision: string };
  head: { ref: string; revision: string };
  changes: Change[];
  /** what behaviour was compared over */
  over: { kind: 'log'; file: string } | { kind: 'generated'; runs: number; seed: number; now: string; cases: number };
  behaviour: ActionBehaviour[];
}

const n = (x: number) => x.toLocaleString('en-US');

function changeText(c: Change): string {
  switch (c.kind) {
    case 'added': return `+ ${c.what} \`${c.name}\`${c.to && c.what !== 'action' ? `: ${c.to}` : ''}`;
    case 'removed': return `- ${c.what} \`${c.name}\`${c.from && c.what !== 'action' ? `: ${c.from}` : ''}`;
    case 'renamed': return `~ ${c.what} renamed \`${c.name}\` (${c.to})`;
    case 'changed': return `~ ${c.what} \`${c.name}\`: ${c.from}\n      → ${c.to}`;
  }
}

function exampleText(way: 'stricter' | 'looser', e: DirectionExample): string[] {
  const lines = [`  ${way}: ${n(e.count)} input${e.count === 1 ? '' : 's'} moved toward ${way === 'stricter' ? 'reject' : 'approve'}; for example, ${e.base} before, ${e.head} now`];
  if (e.responsible.added.length) lines.push(`    now counts: ${e.responsible.added.join(', ')}`);
  if (e.responsible.removed.length) lines.push(`    no longer:  ${e.responsible.removed.join(', ')}`);
  lines.push('    as a test case (paste under `cases:` in the action\'s test file):', ...e.testCase.split('\n').map((l) => `    ${l}`));
  return lines;
}

export function diffText(r: DiffReport): string {
  const lines = [`diff ${r.base.ref} (${r.base.revision.slice(0, 19)}…) → ${r.head.ref} (${r.head.revision.slice(0, 19)}…)`];
  if (r.base.revision === r.head.revision) lines.push('the two compile to the same revision: nothing changed that a decision can see');
  lines.push('', r.changes.length ? 'changes' : 'no changes to actions, contracts, rules, derived facts, signals, tiers or routes');
  let action = '';
  for (const c of r.changes) {
    if (c.action !== action) lines.push(`  ${(action = c.action)}`);
    lines.push(`    ${changeText(c)}`);
  }
  const compared = r.behaviour.reduce((s, b) => s + b.compared, 0);
  lines.push('', r.over.kind === 'log'
    ? `behaviour over the ${n(compared)} decisions of ${r.over.file}`
    : `behaviour over ${n(compared)} inputs: the ${n(r.over.cases)} distinct test cases of both versions, each moved onto every boundary of both, and ${n(r.over.runs)} from each version's generator per action (seed ${r.over.seed}; now ${r.over.now})`);
  const w = Math.max(0, ...r.behaviour.map((b) => b.action.length));
  for (const b of r.behaviour) lines.push(`  ${b.action.padEnd(w)}  ${b.classification}${b.unevaluable ? ` (${n(b.unevaluable)} inputs one version cannot decide)` : ''}`);
  for (const b of r.behaviour) {
    if (!b.stricter && !b.looser) continue;
    lines.push('', b.action);
    if (b.stricter) lines.push(...exampleText('stricter', b.stricter));
    if (b.looser) lines.push(...exampleText('looser', b.looser));
  }
  return lines.join('\n');
}
