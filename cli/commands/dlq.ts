/**
 * `arbiter dlq list|show|replay|purge`: the dead-letter queue, for operators, through the gate's
 * API (so a replay or purge is recorded in the log under the key that made it).
 * The gate and key come from `--gate`/`--key` or ARBITER_URL/ARBITER_KEY; the key needs scope
 * `deliveries`.
 */
import { UsageError } from '../args.js';
import { command } from '../command.js';

interface Summary { id: string; decisionId: string; action: string; status: string; attempts: number; maxAttempts: number; updatedAt: string; lastError: string | null }

export const dlqCommand = command({
  name: 'dlq',
  about: 'list, show, replay or purge dead-lettered deliveries, through the gate (a replay or purge is recorded in the log)',
  args: 'list|show|replay|purge [ID]',
  options: {
    gate: { type: 'string', value: 'URL', default: process.env.ARBITER_URL ?? 'http://127.0.0.1:8787', help: 'the gate; $ARBITER_URL when not given' },
    key: { type: 'string', value: 'KEY', help: 'an API key with scope `deliveries`; $ARBITER_KEY when not given' },
    status: { type: 'string', choices: ['dead', 'pending', 'delivered', 'purged'], default: 'dead', help: 'list: the deliveries in this state' },
  },
  examples: ['arbiter dlq list --gate http://127.0.0.1:8787', 'arbiter dlq replay 01JDELIVERY0000000000000000'],
  async run(values, positionals, io) {
    const key = values.key ?? process.env.ARBITER_KEY;
    const [verb, id] = positionals;
    if (!verb || !['list', 'show', 'replay', 'purge'].includes(verb)) throw new UsageError('expected `dlq list`, `dlq show ID`, `dlq replay ID` or `dlq purge ID`');
    if (verb !== 'list' && !id) throw new UsageError(`\`dlq ${verb}\` takes a delivery id`);
    if (!key) throw new UsageError('give an API key with scope `deliveries`: --key, or ARBITER_KEY');
    const call = async (method: string, path: string) => {
      let res: Response;
      try {
        res = await fetch(new URL(path, values.gate), { method, headers: { authorization: `Bearer ${key}` } });
      } catch (e) {
        throw new GateUnreachable(`cannot reach the gate at ${values.gate}: ${((e as Error).cause as Error | undefined)?.message ?? (e as Error).message}`);
      }
      const body = await res.json() as Record<string, unknown> & { error?: { code: string; message: string } };
      return { ok: res.ok, body };
    };
    try {
      const r = verb === 'list' ? await call('GET', `/v1/deliveries?status=${encodeURIComponent(values.status)}`)
        : verb === 'show' ? await call('GET', `/v1/deliveries/${encodeURIComponent(id!)}`)
          : await call(verb === 'replay' ? 'POST' : 'DELETE', `/v1/deliveries/${encodeURIComponent(id!)}${verb === 'replay' ? '/replay' : ''}`);
      if (!r.ok) {
        io.err(`arbiter dlq: ${r.body.error?.code}: ${r.body.error?.message}`);
        return 1;
      }
      if (verb === 'list') {
        const items = r.body.items as Summary[];
        if (!items.length) io.out(`no ${values.status} deliveries`);
        for (const d of items) io.out(`${d.id}  ${d.action}  decision ${d.decisionId}  ${d.status}  ${d.attempts}/${d.maxAttempts} attempts  ${d.updatedAt}${d.lastError ? `\n    ${d.lastError}` : ''}`);
      } else if (verb === 'show') {
        io.out(JSON.stringify(r.body, null, 2));
      } else {
        const d = r.body.delivery as Summary;
        io.out(verb === 'replay' ? `replayed ${d.id} (decision ${d.decisionId}): pending, sent again with the same idempotency key` : `purged ${d.id} (decision ${d.decisionId})`);
      }
      return 0;
    } catch (e) {
      if (!(e instanceof GateUnreachable)) throw e;
      io.err(`arbiter dlq: ${e.message}`);
      return 1;
    }
  },
});

class GateUnreachable extends Error {}
