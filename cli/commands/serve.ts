/**
 * `arbiter serve`: runs the gate until SIGTERM or SIGINT, then drains and exits 0. SIGHUP reloads
 * the policy. Every setting is a flag here and an environment variable (server/main.ts SETTINGS).
 */
import { ConfigError, SETTINGS, settings, startGate, type Settings } from '../../server/main.js';
import { UsageError } from '../args.js';
import { command, type Option } from '../command.js';

/** The synopsis keeps to the settings a first run needs; `--help` lists them all. */
const BRIEF: Record<string, string> = { dir: 'D', host: 'H', port: 'P', store: 'sqlite:PATH|postgres://…', keys: 'FILE' };

const options: Record<string, Option> = Object.fromEntries(SETTINGS.map((s) => [s.name, {
  type: 'flag' in s ? 'boolean' : 'string',
  value: BRIEF[s.name] ?? s.name.toUpperCase().replace(/-/g, '_'),
  help: `${s.about} ($${s.env}${'flag' in s || s.dflt === '' ? '' : `, default ${s.dflt}`})`,
  synopsis: s.name in BRIEF,
} satisfies Option]));

export const serveCommand = command({
  name: 'serve',
  about: 'run the gate; every setting in docs/server.md#settings',
  options,
  examples: ['arbiter serve --dir . --port 8787 --store sqlite:data/arbiter.db --keys keys.yaml'],
  async run(values, _positionals, io) {
    const flags = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)])) as Partial<Settings>;
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
  },
});
