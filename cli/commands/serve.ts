/**
 * `arbiter serve [--dir D] [--host H] [--port P] [--store URL] [--keys FILE] [...]`: runs the gate
 * until SIGTERM or SIGINT, then drains and exits 0. SIGHUP reloads the policy.
 */
import { ConfigError, SETTINGS, settings, startGate, type Settings } from '../../server/main.js';
import { parse, UsageError } from '../args.js';
import type { Io } from '../io.js';

const isFlag = (s: (typeof SETTINGS)[number]) => 'flag' in s;

export const usage = `arbiter serve ${SETTINGS.map((s) => (isFlag(s) ? `[--${s.name}]` : `[--${s.name} ${s.name.toUpperCase().replace(/-/g, '_')}]`)).join(' ')}`;

export async function serveCommand(argv: string[], io: Io): Promise<number> {
  const options = Object.fromEntries(SETTINGS.map((s) => [s.name, isFlag(s) ? { type: 'boolean' as const } : { type: 'string' as const }]));
  const { values } = parse(argv, options);
  const flags = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)])) as Partial<Settings>;
  let gate;
  try {
    gate = await startGate(settings(flags), io.err);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    io.err(`arbiter serve: ${(e as Error).message}`);
    return 1;
  }
  return new Promise<number>((done) => {
    const stop = (signal: string) => {
      io.err(`arbiter: ${signal}: finishing requests in flight, then stopping`);
      gate.shutdown().then(() => done(0), (e: unknown) => { io.err(`arbiter: shutdown failed: ${(e as Error).message}`); done(1); });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
