/**
 * `arbiter audit verify --store URL`: walks the whole hash chain; exit 1, naming the first record
 * that was edited, deleted or reordered, when it does not verify.
 * `arbiter audit export --store URL [--since ISO] [--out FILE]`: the records as JSON Lines.
 */
import { createWriteStream } from 'node:fs';
import { redact } from '../../adapters/stores/postgres.js';
import { parse, UsageError } from '../args.js';
import { openStoreToRead, type Io } from '../io.js';

export const usage = 'arbiter audit verify --store URL | arbiter audit export --store URL [--since ISO] [--out FILE]';

export async function auditCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { store: { type: 'string', default: process.env.ARBITER_STORE ?? 'sqlite:data/arbiter.db' }, since: { type: 'string' }, out: { type: 'string' } }, true);
  const [verb] = positionals;
  if (verb !== 'verify' && verb !== 'export') throw new UsageError('expected `audit verify` or `audit export`');
  if (values.since !== undefined && Number.isNaN(Date.parse(values.since))) throw new UsageError(`--since takes an ISO date-time, not \`${values.since}\``);
  // Both verbs only read.
  const store = await openStoreToRead(values.store, 'audit', io);
  if (!store) return 1;
  try {
    if (verb === 'verify') {
      const r = await store.verify();
      if (r.ok) {
        io.out(`ok: the chain of ${r.count} record${r.count === 1 ? '' : 's'} in ${redact(values.store)} is intact`);
        return 0;
      }
      io.err(`the chain does not verify at seq ${r.problem!.seq}${r.problem!.id ? ` (decision ${r.problem!.id})` : ''}: ${r.problem!.reason}`);
      io.err(`${r.count} record${r.count === 1 ? '' : 's'} before it verified`);
      return 1;
    }
    const since = values.since === undefined ? undefined : new Date(values.since).toISOString();
    const sink = values.out ? createWriteStream(values.out) : undefined;
    let n = 0;
    for await (const r of store.export(since)) {
      const line = `${JSON.stringify(r)}\n`;
      if (sink) { if (!sink.write(line)) await new Promise<void>((ok) => sink.once('drain', () => ok())); } else io.out(line);
      n++;
    }
    if (sink) {
      await new Promise<void>((ok, fail) => sink.end((e?: Error | null) => (e ? fail(e) : ok())));
      io.err(`wrote ${n} record${n === 1 ? '' : 's'} to ${values.out}`);
    }
    return 0;
  } finally {
    await store.close();
  }
}
