/** Runs `arbiter serve` as a child process, as an operator would, and reads its URL and key. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './cli.js';

export interface Served { child: ChildProcess; url: string; key: string; stderr: () => string; exited: Promise<number | null> }

export async function serveProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Served> {
  const child = spawn(process.execPath, [join(ROOT, 'dist/cli/bin.js'), 'serve', '--port', '0', '--log-level', 'warn', ...args], {
    cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
  child.stdout!.resume();
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`the gate did not start:\n${err}`)), 20_000);
    const check = () => {
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) { clearTimeout(timer); ok(m[1]!); }
    };
    child.stderr!.on('data', check);
    void exited.then((code) => { clearTimeout(timer); fail(new Error(`the gate exited (${code}) before listening:\n${err}`)); });
  });
  const key = /(arb_dev_[0-9a-f]{64})/.exec(err)?.[1] ?? '';
  return { child, url, key, stderr: () => err, exited };
}

export async function postDecision(url: string, key: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`${url}/v1/decisions`, { method: 'POST', body: JSON.stringify(body), headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}
