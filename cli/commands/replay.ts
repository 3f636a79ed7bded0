/**
 * `arbiter replay --dir CANDIDATE (--store URL | --from decisions.jsonl) [--since T] [--until T]
 * [--action A] [--format text|json|markdown] [--fail-on toward-approve|any] [--examples K]`:
 * every recorded decision decided again under the candidate policy (see analysis/replay/). Exit 1
 * when `--fail-on` says the report fails: any flip toward approve, or (`any`) any flip or
 * decision the candidate cannot evaluate.
 */
import { jsonlRecords, LogLineError } from '../../adapters/stores/jsonl.js';
import type { LogRecord, Store } from '../../adapters/stores/store.js';
import { replayMarkdown, replayText } from '../../analysis/replay/report.js';
import { failed, replay, type Recorded } from '../../analysis/replay/run.js';
import { instant, number, UsageError } from '../args.js';
import { command } from '../command.js';
import { loadPolicy, openStoreToRead, selectActions } from '../io.js';
import { ACTION, DIR } from '../options.js';

export const replayCommand = command({
  name: 'replay',
  about: 'decide every recorded decision again under a candidate policy: flips per action (toward approve first) with both traces and the rules responsible, rules that newly fire or stop, unevaluable decisions, reviewers\' verdicts; markdown for a pull request',
  options: {
    dir: { ...DIR, help: 'the candidate policy repository' },
    store: { type: 'string', value: 'URL', help: 'the decision store to read, `sqlite:PATH` or `postgres://…` (or give --from)' },
    from: { type: 'string', value: 'decisions.jsonl', help: 'a log exported with `arbiter audit export` (or give --store)' },
    since: { type: 'string', value: 'T', help: 'only decisions decided at or after this time' },
    until: { type: 'string', value: 'T', help: 'only decisions decided before this time' },
    action: ACTION,
    format: { type: 'string', choices: ['text', 'json', 'markdown'], default: 'text', help: '`markdown` is written to be pasted as a pull-request comment' },
    'fail-on': { type: 'string', choices: ['toward-approve', 'any'], help: 'exit 1 on any flip toward approve, or on any flip or unevaluable decision (default: exit 0)' },
    examples: { type: 'string', value: 'K', help: 'examples shown per kind of flip (default: 3)' },
  },
  examples: ['arbiter replay --dir candidate --store sqlite:data/arbiter.db --fail-on toward-approve', 'arbiter replay --dir candidate --from decisions.jsonl --action refund_order --format markdown --examples 2'],
  async run(values, _positionals, io) {
    if ((values.store === undefined) === (values.from === undefined)) throw new UsageError('give the log to replay: `--store URL` or `--from decisions.jsonl`, one of them');
    const format = values.format;
    const failOn = values['fail-on'];
    const examples = number(values.examples, 'examples', 3);
    if (!Number.isInteger(examples) || examples < 0) throw new UsageError(`--examples takes a whole number, not \`${values.examples}\``);
    const since = values.since === undefined ? undefined : new Date(instant(values.since, 'since')).toISOString();
    const until = values.until === undefined ? undefined : new Date(instant(values.until, 'until')).toISOString();
    const loaded = loadPolicy(values.dir, io);
    if (!loaded) return 1;
    if (values.action !== undefined) selectActions(loaded.policy, values.action);

    let store: Store | undefined;
    if (values.store !== undefined) {
      store = await openStoreToRead(values.store, 'replay', io);
      if (!store) return 1;
    }
    const log: AsyncIterable<LogRecord> = store ? store.export(since) : jsonlRecords(values.from!);
    const started = performance.now();
    let shown = started;
    try {
      const report = await replay(loaded.policy, log as AsyncIterable<Recorded>, {
        ...(since ? { since } : {}), ...(until ? { until } : {}), ...(values.action !== undefined ? { action: values.action } : {}), examples,
        progress: (read) => {
          const t = performance.now();
          if (t - shown < 1000) return;
          shown = t;
          io.err(`replay: ${read.toLocaleString('en-US')} decisions read (${Math.round(read / ((t - started) / 1000)).toLocaleString('en-US')}/s)`);
        },
      });
      io.out(format === 'json' ? JSON.stringify(report, null, 2) : format === 'markdown' ? replayMarkdown(report) : replayText(report));
      return failed(report, failOn) ? 1 : 0;
    } catch (e) {
      if (!(e instanceof LogLineError || (e as NodeJS.ErrnoException).code === 'ENOENT')) throw e;
      io.err(`arbiter replay: ${e instanceof LogLineError ? e.message : `cannot read \`${values.from}\`: ENOENT`}`);
      return 1;
    } finally {
      await store?.close();
    }
  },
});
