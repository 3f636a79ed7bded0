/** A replay report for people: text for a terminal, markdown for a pull-request comment. */
import { renderDecision } from '../../engine/index.js';
import type { Example, Flip, ReplayReport } from './run.js';

const n = (x: number) => x.toLocaleString('en-US');
const plural = (x: number, w: string) => `${n(x)} ${w}${x === 1 ? '' : 's'}`;
/** Unevaluable ids shown in text and markdown per reason; JSON lists them all. */
const IDS_SHOWN = 20;

function headline(r: ReplayReport): string {
  const toward = r.flips.filter((f) => f.direction === 'toward-approve').reduce((s, f) => s + f.count, 0);
  const flipped = r.flips.reduce((s, f) => s + f.count, 0);
  const bad = r.unevaluable.reduce((s, u) => s + u.ids.length, 0);
  return `${plural(flipped, 'flip')} (${n(toward)} toward approve) and ${n(bad)} unevaluable in ${plural(r.replayed, 'decision')} replayed; ${n(r.unchanged)} unchanged`;
}

function verdicts(f: Flip): string {
  const e = Object.entries(f.verdicts);
  return e.length ? e.map(([v, c]) => `${n(c)} ${v}`).join(', ') : '';
}

/** Two blocks of text in columns, left padded to its widest line. */
export function sideBySide(left: string, right: string, titles: [string, string]): string {
  const a = [titles[0], '─'.repeat(titles[0].length), ...left.split('\n')], b = [titles[1], '─'.repeat(titles[1].length), ...right.split('\n')];
  const w = Math.max(...a.map((l) => l.length));
  return Array.from({ length: Math.max(a.length, b.length) }, (_, i) => `${(a[i] ?? '').padEnd(w)} │ ${b[i] ?? ''}`.trimEnd()).join('\n');
}

function exampleText(f: Flip, e: Example): string[] {
  const lines = [`${f.action} ${f.from}→${f.to}: decision ${e.id}, recorded ${e.recordedAt}`];
  if (e.responsible.added.length) lines.push(`  now counts:     ${e.responsible.added.join(', ')}`);
  if (e.responsible.removed.length) lines.push(`  no longer:      ${e.responsible.removed.join(', ')}`);
  if (e.verdict) lines.push(`  reviewer:       ${e.verdict.verdict} by ${e.verdict.by} at ${e.verdict.at}`);
  lines.push(`  revisions:      ${e.recorded.revision} → ${e.candidate.revision}`);
  lines.push(sideBySide(body(e.recorded), body(e.candidate), ['recorded', 'candidate']));
  return lines;
}

/** A decision drawn without its header line of revision, contracts and time, which the example's heading gives. */
function body(d: Example['recorded']): string {
  const lines = renderDecision(d).split('\n');
  return [lines[0], ...lines.slice(2)].join('\n');
}

function unevaluableText(r: ReplayReport): string[] {
  return r.unevaluable.map((u) => {
    const shown = u.ids.slice(0, IDS_SHOWN).join(', ');
    return `  ${u.action}  ${u.code}: ${u.message} (${n(u.ids.length)}): ${shown}${u.ids.length > IDS_SHOWN ? `, and ${n(u.ids.length - IDS_SHOWN)} more (--format json lists every one)` : ''}`;
  });
}

export function replayText(r: ReplayReport): string {
  const lines = [`replay against ${r.candidate}`, `recorded under ${Object.entries(r.recordedUnder).map(([rev, c]) => `${rev} (${n(c)})`).join(', ') || 'no revision: nothing replayed'}`, headline(r)];
  if (r.flips.length) {
    lines.push('', 'flips, toward approve first');
    const w = Math.max(...r.flips.map((f) => f.action.length));
    for (const f of r.flips) {
      const v = verdicts(f);
      lines.push(`  ${f.action.padEnd(w)}  ${`${f.from}→${f.to}`.padEnd(15)} ${n(f.count).padStart(7)}  ${f.direction.replace('-', ' ')}${v ? `  reviewers had said: ${v}` : ''}`);
    }
  }
  if (r.firing.length) {
    lines.push('', 'rules that newly fire (+) or stop firing (−)');
    for (const f of r.firing) lines.push(`  ${f.action}  ${f.rule}  ${f.started ? `+${n(f.started)}` : ''}${f.started && f.stopped ? ' ' : ''}${f.stopped ? `−${n(f.stopped)}` : ''}`);
  }
  if (r.unevaluable.length) lines.push('', 'decisions the candidate cannot evaluate', ...unevaluableText(r));
  const shown = r.flips.filter((f) => f.examples.length);
  if (shown.length) {
    lines.push('', 'examples');
    for (const f of shown) for (const e of f.examples) lines.push('', ...exampleText(f, e));
  }
  return lines.join('\n');
}

export function replayMarkdown(r: ReplayReport): string {
  const lines = [`### Replay: ${headline(r)}`, '', `Candidate \`${r.candidate}\`; recorded under ${Object.entries(r.recordedUnder).map(([rev, c]) => `\`${rev}\` (${n(c)})`).join(', ') || 'nothing'}.`];
  if (r.flips.length) {
    lines.push('', '| action | flip | decisions | direction | reviewers had said |', '|---|---|---:|---|---|');
    for (const f of r.flips) lines.push(`| \`${f.action}\` | ${f.from} → ${f.to} | ${n(f.count)} | ${f.direction === 'toward-approve' ? '**toward approve**' : 'toward reject'} | ${verdicts(f)} |`);
  }
  if (r.firing.length) {
    lines.push('', '| action | rule | newly fires | stops firing |', '|---|---|---:|---:|');
    for (const f of r.firing) lines.push(`| \`${f.action}\` | \`${f.rule}\` | ${n(f.started)} | ${n(f.stopped)} |`);
  }
  if (r.unevaluable.length) lines.push('', '**Decisions the candidate cannot evaluate**', '', ...unevaluableText(r).map((l) => `- ${l.trim()}`));
  for (const f of r.flips) {
    if (!f.examples.length) continue;
    lines.push('', `<details><summary>${f.action} ${f.from} → ${f.to}: ${plural(f.examples.length, 'example')} of ${n(f.count)}</summary>`, '');
    for (const e of f.examples) lines.push('```text', ...exampleText(f, e), '```', '');
    lines.push('</details>');
  }
  return lines.join('\n');
}
