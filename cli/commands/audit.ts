/**
 * `arbiter audit verify --store URL`: walks the whole hash chain; exit 1, naming the first record
 * that was edited, deleted or reordered, when it does not verify.
 * `arbiter audit export --store URL [--since ISO] [--out FILE]`: the records as JSON Lines.
 */
import { createWriteStream } from 'node:fs';
import { redact } from '../../adapters/stores/postgres.js';
import { UsageError } from '../args.js';
import { command } from '../command.js';
import { openStoreToRead } from '../io.js';

export const auditCommand = command({
  name: 'audit',
  about: 'check the decision log\'s hash chain, naming the first bad record; or export it as JSON Lines',
  args: 'verify|export',
  options: {
    store: { type: 'string', value: 'URL', default: process.env.ARBITER_STORE ?? 'sqlite:data/arbiter.db', help: 'the decision store, `sqlite:PATH` or `postgres://…`; $ARBITER_STORE when not given' },
    since: { type: 'string', value: 'ISO', help: 'export: only the records decided at or after this time' },
    out: { type: 'string', value: 'FILE', help: 'export: write here (default: standard output)' },
  },
  examples: ['arbiter audit verify --store sqlite:data/arbiter.db', 'arbiter audit export --store sqlite:data/arbiter.db --since 2026-11-01T00:00:00Z --out decisions.jsonl'],
  async run(values, positionals, io) {
    const [verb] = positionals;
    if (verb !== 'verify' && verb !== 'export') throw new UsageError('expected `audit verify` or `audit export`');
    if (values.since !== undefined && Number.isNaN(Date.parse(values.since))) throw new UsageError(`--since takes an ISO date-time, not \`${values.since}\``);
    // Both verbs only read: a mistyped path must not become a new, empty, "intact" log.
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
  },
});
