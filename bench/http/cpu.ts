/**
 * CPU time per thread of a server process (and of PostgreSQL backends), read from /proc: utime +
 * stime of /proc/PID/task/TID/stat, in clock ticks of 10 ms. Sampled before and after a measured
 * window; the difference divided by the requests answered in it is CPU µs per request. Likewise
 * the bytes a process caused to be written to storage (`write_bytes` of /proc/PID/io).
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_US = 10_000;  // getconf CLK_TCK is 100 on Linux x86_64 and arm64

export type Sample = Map<number, number>;

function ticks(statPath: string): number | undefined {
  try {
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    const s = readFileSync(statPath, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return undefined;  // the thread or process ended
  }
}

/** CPU ticks of every thread of `pid`, by thread id. */
export function threads(pid: number): Sample {
  const out: Sample = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const t = ticks(`/proc/${pid}/task/${tid}/stat`);
    if (t !== undefined) out.set(Number(tid), t);
  }
  return out;
}

/** CPU ticks of whole processes (all their threads), by pid. */
export function processes(pids: number[]): Sample {
  const out: Sample = new Map();
  for (const pid of pids) {
    const t = ticks(`/proc/${pid}/stat`);
    if (t !== undefined) out.set(pid, t);
  }
  return out;
}

/** µs of CPU each id used between two samples. */
export function spent(before: Sample, after: Sample): Map<number, number> {
  const out = new Map<number, number>();
  for (const [id, t] of after) out.set(id, (t - (before.get(id) ?? 0)) * TICK_US);
  return out;
}

/**
 * A Node server's threads, named by role: the main thread (its id is the pid); the busiest other
 * thread, which in the gate is the store's worker thread (V8's and libuv's helper threads use far
 * less); and everything else (garbage collection, libuv's pool, compiler threads).
 */
export function byRole(pid: number, used: Map<number, number>): { main: number; busiest: number; rest: number } {
  const main = used.get(pid) ?? 0;
  const others = [...used].filter(([id]) => id !== pid).map(([, us]) => us).sort((a, b) => b - a);
  return { main, busiest: others[0] ?? 0, rest: others.slice(1).reduce((a, b) => a + b, 0) };
}

/** Bytes `pid` has caused to be written to storage so far (the WAL, its checkpoints, the database files). */
export function storageWrites(pid: number): number {
  return Number(/^write_bytes: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? NaN);
}
