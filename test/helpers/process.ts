/** Runs `arbiter serve` as a child process (the harness the HTTP benchmark uses too). */
import { spawnGate, type Served } from '../../bench/http/spawn.js';
import { arbiter } from './cli.js';

export type { Served };

const running = new Set<Served>();

/** Starts `arbiter serve`; `killAll` (an afterEach) stops whatever a failing test left running. */
export async function serveProcess(args: string[], env: NodeJS.ProcessEnv = {}, user?: { uid: number; gid: number }): Promise<Served> {
  const s = await spawnGate(args, { env, ...(user ? { user } : {}) });
  running.add(s);
  void s.exited.then(() => running.delete(s));
  return s;
}

export async function killAll(): Promise<void> {
  for (const s of running) s.child.kill('SIGKILL');
  await Promise.all([...running].map((s) => s.exited));
}

export async function postDecision(url: string, key: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`${url}/v1/decisions`, { method: 'POST', body: JSON.stringify(body), headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/**
 * Restarts the gate on `storeUrl` and lists the decisions of `ids` (each answered 2xx before a
 * fault) that it cannot find, then stops it cleanly and checks the log with `arbiter audit verify`.
 */
export async function afterRestart(storeUrl: string, ids: readonly string[], user?: { uid: number; gid: number }): Promise<{ missing: string[]; stopped: number | null; verify: { code: number; out: string } }> {
  const again = await serveProcess(['--store', storeUrl], {}, user);
  const missing: string[] = [];
  for (const id of ids) {
    const r = await fetch(`${again.url}/v1/decisions/${id}`, { headers: { authorization: `Bearer ${again.key}` } });
    if (r.status !== 200) missing.push(`${id}: ${r.status}`);
  }
  again.child.kill('SIGTERM');
  const stopped = await again.exited;
  return { missing, stopped, verify: await arbiter('audit', 'verify', '--store', storeUrl) };
}
