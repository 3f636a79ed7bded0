/** Runs `arbiter serve` as a child process (the harness the HTTP benchmark uses too). */
import { spawnGate, type Served } from '../../bench/http/spawn.js';

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
