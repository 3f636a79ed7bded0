/** Starts servers as child processes, as an operator would, and reads the URL (and dev key) they print. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface Served { child: ChildProcess; url: string; key: string; reviewKey: string; stderr: () => string; exited: Promise<number | null> }

/** The repository root, from here in the sources or in dist/. */
function root(dir = import.meta.dirname): string {
  return existsSync(join(dir, 'package.json')) ? dir : root(dirname(dir));
}
export const ROOT = root();

export function started(child: ChildProcess): Promise<Served> {
  let err = '';
  child.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise<Served>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`the server did not start:\n${err}`)), 20_000);
    child.stderr!.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (!m) return;
      clearTimeout(timer);
      ok({ child, url: m[1]!, key: /(arb_dev_[0-9a-f]{64})/.exec(err)?.[1] ?? '', reviewKey: /(arb_reviewer_[0-9a-f]{64})/.exec(err)?.[1] ?? '', stderr: () => err, exited });
    });
    void exited.then((code) => { clearTimeout(timer); fail(new Error(`the server exited (${code}) before listening:\n${err}`)); });
  });
}

/**
 * `arbiter serve` on any free port, as another user when `user` is given; logs (stdout) are
 * discarded. `build` is the folder of the build to run (default `dist/`), such as an earlier one.
 */
export function spawnGate(args: string[], options: { logLevel?: string; env?: NodeJS.ProcessEnv; user?: { uid: number; gid: number }; build?: string } = {}): Promise<Served> {
  const child = spawn(process.execPath, [join(options.build ?? join(ROOT, 'dist'), 'cli/bin.js'), 'serve', '--port', '0', '--log-level', options.logLevel ?? 'warn', ...args], {
    cwd: ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'ignore', 'pipe'], ...options.user,
  });
  return started(child);
}

/** The bare Hono baseline. */
export function spawnBare(): Promise<Served> {
  return started(spawn(process.execPath, [join(ROOT, 'dist/bench/http/bare.js'), '0'], { stdio: ['ignore', 'ignore', 'pipe'] }));
}
