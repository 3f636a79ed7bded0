/** Text and JUnit reports of a test run. */
import { renderDecision } from '../../engine/index.js';
import type { SourceLoc } from '../../engine/internal.js';
import { percent, summarize, type ActionCoverage, type CaseResult } from './run.js';

const at = (l: SourceLoc) => `${l.file}:${l.line}:${l.col}`;
const pct = (p: { covered: number; total: number; pct: number }) => `${p.covered}/${p.total} (${p.pct.toFixed(1)}%)`;

export function textReport(results: CaseResult[], verbose: boolean): string {
  const lines: string[] = [];
  let file = '';
  for (const r of results) {
    if (r.file !== file) { file = r.file; lines.push(file); }
    if (r.failures.length === 0) {
      if (verbose) lines.push(`  ✓ ${r.test.name}`);
      continue;
    }
    lines.push(`  ✗ ${r.test.name}  (${at(r.test.loc)})`);
    for (const f of r.failures) lines.push(...f.split('\n').map((l) => `      ${l}`));
    if (r.decision) lines.push('      trace:', ...renderDecision(r.decision).split('\n').map((l) => `        ${l}`));
  }
  const failed = results.filter((r) => r.failures.length).length;
  lines.push(`${results.length - failed} passed, ${failed} failed`);
  return lines.join('\n');
}

export function coverageReport(coverage: Map<string, ActionCoverage>): string {
  const lines = ['coverage'];
  for (const [name, c] of coverage) {
    const rules = [...c.rules.values()];
    const branches = [...c.branches.values()];
    const rc = percent(rules.filter((t) => t.seenTrue && t.seenFalse).length, rules.length);
    const bc = percent(branches.filter((t) => t.seenTrue && t.seenFalse).length, branches.length);
    const outcomes = [...c.possible].map((o) => `${o}${c.outcomes.has(o) ? '' : ' (never)'}`).join(' ');
    lines.push(`  ${name}: rules ${pct(rc)}, branches ${pct(bc)}, outcomes ${outcomes}`);
    for (const t of rules) {
      if (!t.seenTrue && !t.seenFalse) lines.push(`    ${at(t.loc)}: ${t.what} is never evaluated`);
      else if (!t.seenTrue) lines.push(`    ${at(t.loc)}: ${t.what} never fires`);
      else if (!t.seenFalse) lines.push(`    ${at(t.loc)}: ${t.what} always fires`);
    }
    for (const t of branches) {
      if (!t.seenTrue || !t.seenFalse) lines.push(`    ${at(t.loc)}: branch ${t.what} never ${!t.seenTrue && !t.seenFalse ? 'evaluated' : t.seenTrue ? 'false' : 'true'}`);
    }
  }
  const s = summarize(coverage);
  lines.push(`total: rules ${pct(s.rules)}, branches ${pct(s.branches)}, outcomes ${pct(s.outcomes)}`);
  return lines.join('\n');
}

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
  // eslint-disable-next-line no-control-regex
  .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

export function junitReport(results: CaseResult[]): string {
  const byFile = new Map<string, CaseResult[]>();
  for (const r of results) byFile.set(r.file, [...(byFile.get(r.file) ?? []), r]);
  const failures = results.filter((r) => r.failures.length).length;
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="arbiter" tests="${results.length}" failures="${failures}">`];
  for (const [file, rs] of byFile) {
    out.push(`  <testsuite name="${xml(file)}" tests="${rs.length}" failures="${rs.filter((r) => r.failures.length).length}">`);
    for (const r of rs) {
      const name = `<testcase name="${xml(r.test.name)}" classname="${xml(r.test.action)}" file="${xml(r.file)}" line="${r.test.loc.line}"`;
      if (!r.failures.length) { out.push(`    ${name}/>`); continue; }
      out.push(`    ${name}>`, `      <failure message="${xml(r.failures[0]!.split('\n')[0]!)}">${xml(r.failures.join('\n'))}</failure>`, '    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}
