/**
 * `arbiter prop [--dir D] [--action A] [--runs N] [--seed S] [--now ISO]`: property tests on
 * inputs generated from each action's contracts, leaning toward the boundaries its rules draw.
 * Checks the built-in properties and the invariants of `*.invariants.yaml`; on a failure, prints
 * the shrunk counterexample as a test case ready to paste, and the command that reproduces it.
 */
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findInvariantFiles } from '../../adapters/loaders/fs.js';
import { Diagnostics, formatDiagnostic } from '../../engine/internal.js';
import { instant, number, UsageError } from '../args.js';
import { command } from '../command.js';
import { annotation } from '../github.js';
import { loadPolicy, selectActions } from '../io.js';
import { ACTION, DIR, NOW, SEED } from '../options.js';
import { parseInvariantFile, type InvariantFile } from '../../analysis/prop/invariants.js';
import { testCaseYaml } from '../../analysis/prop/report.js';
import { propAction, type ActionResult } from '../../analysis/prop/run.js';
import { loadTests } from './test.js';

export const propCommand = command({
  name: 'prop',
  about: 'property tests on inputs generated from the contracts: totality, determinism, fail-closed, contract violations, and the invariants in `*.invariants.yaml`; a failure prints a test case to paste',
  options: {
    dir: DIR, action: ACTION,
    runs: { type: 'string', value: 'N', help: 'generated inputs per action (default: 1000)' },
    seed: SEED, now: NOW,
    format: { type: 'string', choices: ['text', 'json', 'github'], default: 'text', help: '`text` for people, `json` for tools, `github`: text and an annotation per failure in GitHub Actions' },
  },
  examples: ['arbiter prop --runs 2000', 'arbiter prop --action refund_order --runs 500 --seed 42 --now 2026-11-21T10:00:00Z'],
  run(values, _positionals, io) {
    const runs = number(values.runs, 'runs', 1000);
    const seed = number(values.seed, 'seed', randomInt(2 ** 31));
    if (!Number.isSafeInteger(runs) || runs < 1) throw new UsageError('--runs takes a whole number of at least 1');
    if (!Number.isSafeInteger(seed)) throw new UsageError('--seed takes a whole number');
    const now = instant(values.now, 'now');
    const loaded = loadPolicy(values.dir, io);
    if (!loaded) return 1;
    const { policy, files } = loaded;
    const actions = selectActions(policy, values.action);

    const diags = new Diagnostics();
    const invariants = new Map<string, InvariantFile>();
    for (const path of findInvariantFiles(values.dir)) {
      const f = parseInvariantFile(path, readFileSync(join(values.dir, path), 'utf8'), policy, files, diags);
      if (!f) continue;
      const seen = invariants.get(f.action);
      if (seen) diags.error('duplicate_id', `action \`${f.action}\` already has its invariants in \`${seen.path}\``, { file: path, line: 1, col: 1 }, 'keep one invariant file per action');
      else invariants.set(f.action, f);
    }
    for (const d of diags.sorted()) io.err(formatDiagnostic(d));
    if (diags.errorCount) return 1;
    const tests = loadTests(values.dir, new Diagnostics());

    const reproduce = (name: string) => `arbiter prop --dir ${values.dir} --action ${name} --runs ${runs} --seed ${seed} --now ${now}`;
    const started = performance.now();
    const results: ActionResult[] = [];
    for (const action of actions) {
      const r = propAction(policy, action, invariants.get(action.name), { runs, seed, now });
      results.push(r);
      if (values.format === 'json') continue;
      io.out(`${r.failure ? '✗' : '✓'} ${action.name.padEnd(26)} ${r.inputs.toLocaleString('en-US').padStart(6)} inputs ${r.cases.toLocaleString('en-US').padStart(7)} cases${r.discarded ? `  (${r.discarded} generated inputs broke the contract and were skipped)` : ''}`);
      io.out(`    ${[...r.checks].map(([p, n]) => `${p} ${n.toLocaleString('en-US')}`).join(' · ')}`);
      const inv = invariants.get(action.name);
      if (!inv) io.out('    no invariants declared: only the built-in properties were checked');
      else if (inv.exempt.length) io.out(`    exempt from fail-closed: ${inv.exempt.map((e) => e.fact).join(', ')}`);
      if (!r.failure) {
        for (const [p, n] of r.checks) {
          if (n === 0) io.out(`    ! ${p} was never checked: ${p.startsWith('invariant') ? 'its `when` held for none of the inputs' : p === 'fail-closed' ? 'there was no optional member to drop that is not exempt' : 'no input could be made for it'}`);
        }
      }
      if (r.failure) {
        const { error, shrinks, runs: ran } = r.failure;
        const file = tests.find((t) => t.action === action.name);
        if (values.format === 'github') {
          const loc = inv?.invariants.find((i) => `invariant ${i.id}` === error.property)?.loc;
          io.out(annotation('error', `${action.name}: ${error.message}\nreproduce: ${reproduce(action.name)}`, { loc, title: `arbiter prop: ${error.property}` }));
        }
        io.out([
          '',
          `  ${error.property} fails on generated input ${ran} (shrunk ${shrinks} time${shrinks === 1 ? '' : 's'}):`,
          `    ${error.message}`,
          ...(error.decision ? [`    decided ${error.decision.outcome}; reasons: ${error.decision.reasons.map((x) => x.rule ?? x.kind).join(', ') || 'none'}`] : []),
          `  reproduce: ${reproduce(action.name)}`,
          `  as a test case, under \`cases:\` in ${file?.path ?? `a test file for ${action.name}`}:`,
          '',
          testCaseYaml(error, `found by arbiter prop: ${error.property}`, now, file),
          '',
        ].join('\n'));
      }
    }
    const ms = performance.now() - started;
    const inputs = results.reduce((a, r) => a + r.inputs, 0);
    const cases = results.reduce((a, r) => a + r.cases, 0);
    const failed = results.filter((r) => r.failure).length;
    if (values.format === 'json') {
      io.out(JSON.stringify({
        ok: failed === 0, seed, now, runs, inputs, cases, seconds: Math.round(ms) / 1000,
        actions: results.map((r) => ({
          action: r.action, inputs: r.inputs, discarded: r.discarded, cases: r.cases, checks: Object.fromEntries(r.checks),
          ...(r.failure ? { failure: { property: r.failure.error.property, message: r.failure.error.message, input: r.failure.runs, shrinks: r.failure.shrinks, reproduce: reproduce(r.action) } } : {}),
        })),
      }, null, 2));
      return failed ? 1 : 0;
    }
    const rate = Math.round(cases / (ms / 1000)).toLocaleString('en-US');
    io.out(`${failed ? `${failed} of ${results.length} actions failed` : `ok: ${results.length} action${results.length === 1 ? '' : 's'}`}: ${inputs.toLocaleString('en-US')} inputs, ${cases.toLocaleString('en-US')} cases in ${(ms / 1000).toFixed(1)} s (${rate} cases/s); seed ${seed}, now ${now}`);
    return failed ? 1 : 0;
  },
});
