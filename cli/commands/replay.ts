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
import { choice, instant, number, parse, UsageError } from '../args.js';
import { loadPolicy, openStoreToRead, selectActions, type Io } from '../io.js';

export const usage = 'arbiter replay --dir CANDIDATE (--store URL | --from decisions.jsonl) [--since T] [--until T] [--action A] [--format text|json|markdown] [--fail-on toward-approve|any] [--examples K]';

export async function replayCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, {
    dir: { type: 'string', default: '.' }, store: { type: 'string' }, from: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' },
    action: { type: 'string' }, format: { type: 'string' }, 'fail-on': { type: 'string' }, examples: { type: 'string' },
  });
  if ((values.store === undefined) === (values.from === undefined)) throw new UsageError('give the log to replay: `--store URL` or `--from decisions.jsonl`, one of them');
  const format = choice(values.format, 'format', ['text', 'json', 'markdown'] as const, 'text');
  const failOn = values['fail-on'] === undefined ? undefined : choice(values['fail-on'], 'fail-on', ['toward-approve', 'any'] as const, 'any');
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
}
