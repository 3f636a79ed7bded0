/**
 * `arbiter analyze [--dir D] [--action A] [--format text|json] [--fail-on error|warning|info]
 * [--samples N] [--seed S] [--now ISO] [--list N]`: what the rules can and cannot do, proven with
 * intervals and sets over the contracts (see analysis/analyze/). Exit 1 when a finding is at least as
 * severe as `--fail-on` (default: error).
 */
import { randomInt } from 'node:crypto';
import { analyzeAction, type Finding, type Severity } from '../../analysis/analyze/run.js';
import { instant, number } from '../args.js';
import { command } from '../command.js';
import { annotation, levelOf } from '../github.js';
import { loadPolicy, selectActions } from '../io.js';
import { ACTION, DIR, NOW, SEED } from '../options.js';

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

export const analyzeCommand = command({
  name: 'analyze',
  about: 'rules that can never fire, shadowed rules, always-true comparisons, overlaps and default-approve gaps, proven over the contracts',
  options: {
    dir: DIR, action: ACTION,
    format: { type: 'string', choices: ['text', 'json', 'github'], default: 'text', help: '`text` for people, `json` for tools, `github` for annotations in GitHub Actions' },
    'fail-on': { type: 'string', choices: ['error', 'warning', 'info'], default: 'error', help: 'exit 1 when a finding is at least this severe' },
    samples: { type: 'string', value: 'N', help: 'inputs sampled where a finding cannot be proven (default: 2000)', synopsis: false },
    seed: { ...SEED, synopsis: false }, now: { ...NOW, synopsis: false },
    list: { type: 'string', value: 'N', help: 'overlaps listed per action (default: 20)', synopsis: false },
  },
  examples: ['arbiter analyze', 'arbiter analyze --action refund_order --fail-on warning --format json'],
  run(values, _positionals, io) {
    const { format, 'fail-on': failOn } = values;
    const samples = number(values.samples, 'samples', 2000);
    const seed = number(values.seed, 'seed', randomInt(2 ** 31));
    const listed = number(values.list, 'list', 20);
    const now = instant(values.now, 'now');
    const loaded = loadPolicy(values.dir, io);
    if (!loaded) return 1;
    const { policy } = loaded;
    const actions = selectActions(policy, values.action);

    const started = performance.now();
    const findings: Finding[] = [];
    let unlisted = 0;
    for (const action of actions) {
      const r = analyzeAction(action, { samples, seed, now, listed });
      findings.push(...r.findings.sort((a, b) => RANK[b.severity] - RANK[a.severity]));
      unlisted += r.unlisted;
    }
    const seconds = (performance.now() - started) / 1000;
    const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
    const summary = { errors: count('error'), warnings: count('warning'), infos: count('info'), unlistedOverlaps: unlisted };
    const failed = findings.some((f) => RANK[f.severity] >= RANK[failOn]);

    if (format === 'json') {
      io.out(JSON.stringify({ ok: !failed, revision: policy.revision, seed, now, findings, summary, seconds: Math.round(seconds * 1000) / 1000 }, null, 2));
      return failed ? 1 : 0;
    }
    for (const f of findings) {
      if (format === 'github') {
        const example = f.example && Object.keys(f.example).length ? `\nfor example: ${Object.entries(f.example).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(', ')}` : '';
        io.out(annotation(levelOf(f.severity), `${f.loc ? '' : `action \`${f.action}\`: `}${f.message}${example}`, { loc: f.loc, title: `${f.kind}${f.method === 'sampled' ? ' (sampled)' : ''}` }));
        continue;
      }
      const where = f.loc ? `${f.loc.file}:${f.loc.line}:${f.loc.col}` : `action \`${f.action}\``;
      io.out(`${where}: ${f.severity}: ${f.kind}: ${f.message}${f.method === 'sampled' ? ' [sampled]' : ''}`);
      if (f.example && Object.keys(f.example).length) io.out(`  for example: ${Object.entries(f.example).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(', ')}`);
    }
    const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
    io.out(`${failed ? 'analyze failed' : 'ok'}: ${plural(summary.errors, 'error')}, ${plural(summary.warnings, 'warning')}, ${plural(summary.infos, 'note')}${unlisted ? ` (and ${unlisted} more overlaps; --list N shows more)` : ''} in ${plural(actions.length, 'action')} (${seconds.toFixed(2)} s; seed ${seed})`);
    return failed ? 1 : 0;
  },
});
