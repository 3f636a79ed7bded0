/**
 * Store faults the other fault suites (test/sqlite-faults.test.ts, test/postgres-faults.test.ts)
 * do not reach: a full disk under SQLite (a small tmpfs; skipped where mounting is not allowed)
 * and a PostgreSQL server stopped in `fast` and in `immediate` mode and started again. Each: 503
 * with Retry-After within the documented bound, never a 2xx without a durable record, /readyz
 * true to what a decision would get, and recovery without restarting the gate.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { afterRestart, killAll, serveProcess, type Served } from '../helpers/process.js';
import { PRIVATE_PG_SKIP, startPrivatePostgres } from '../helpers/private-postgres.js';
import { BOUND_MS, decide, readyz, TIMEOUT_S, unavailableThenRecovered } from '../helpers/unavailable.js';

afterEach(killAll);

const probe = mkdtempSync(join(tmpdir(), 'arbiter-tmpfs-probe-'));
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe]).status === 0;
if (mounted) spawnSync('umount', [probe]);
const DISK_SKIP = mounted ? '' : 'a tmpfs cannot be mounted here (needs root or CAP_SYS_ADMIN)';

/** A decision whose proposal breaks its contract with about 260 KB of unknown members: recorded whole, as received. */
async function bulky(s: Served): Promise<{ status: number; retryAfter: string | null; code?: string; id?: string }> {
  const junk = Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`junk${i}`, 'j'.repeat(65_000)]));
  const r = await fetch(`${s.url}/v1/decisions`, {
    method: 'POST', headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'refund_order', proposal: { proposal_id: crypto.randomUUID(), ...junk }, context: {} }),
  });
  const body = (await r.json()) as { id?: string; error?: { code: string } };
  return { status: r.status, retryAfter: r.headers.get('retry-after'), ...(body.error ? { code: body.error.code } : {}), ...(body.id ? { id: body.id } : {}) };
}

describe.skipIf(DISK_SKIP !== '')(`SQLite on a full disk${DISK_SKIP ? ` (${DISK_SKIP})` : ''}`, () => {
  it('answers 503 with Retry-After once the disk is full, readiness agrees with what a decision gets, and writes again once space is freed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arbiter-full-'));
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir]).status).toBe(0);
    try {
      writeFileSync(join(dir, 'filler'), Buffer.alloc(1024 * 1024));
      const store = `sqlite:${join(dir, 'd.db')}`;
      const s = await serveProcess(['--store', store, '--store-timeout', `${TIMEOUT_S}s`]);
      const answered: string[] = [];
      let full: Awaited<ReturnType<typeof bulky>> | undefined;
      for (let i = 0; i < 40 && !full; i++) {
        const a = await bulky(s);
        if (a.status === 200) answered.push(a.id!);
        else full = a;
      }
      expect(answered.length).toBeGreaterThan(0);
      expect(full).toMatchObject({ status: 503, retryAfter: '1', code: 'store_unavailable' });
      // Readiness tells the truth: ready only if a decision of ordinary size is recorded.
      const ready = await readyz(s);
      const small = await decide(s);
      if (small.status === 200) answered.push(small.id!);
      expect(small.status === 200 ? 200 : 503).toBe(small.status);
      if (ready.status === 200) expect(small.status).toBe(200);
      expect((await bulky(s)).status).toBe(503);

      rmSync(join(dir, 'filler'));
      await expect.poll(async () => (await readyz(s)).status, { timeout: 10_000, interval: 200 }).toBe(200);
      const after = await bulky(s);
      expect(after.status).toBe(200);
      answered.push(after.id!);
      s.child.kill('SIGTERM');
      expect(await s.exited).toBe(0);
      const { missing, verify } = await afterRestart(store, answered);
      expect(missing).toEqual([]);
      expect(verify.code).toBe(0);
      console.log(`full disk: ${answered.length} decisions answered 2xx around the fault, all present after restart; first refusal ${full!.status} ${full!.code}`);
    } finally {
      await killAll();
      spawnSync('umount', ['-l', dir]);
    }
  }, 120_000);
});

describe.skipIf(PRIVATE_PG_SKIP !== '')(`the gate on a PostgreSQL server that is stopped and started again${PRIVATE_PG_SKIP ? ` (${PRIVATE_PG_SKIP})` : ''}`, () => {
  for (const mode of ['fast', 'immediate'] as const) {
    it(`pg_ctl stop -m ${mode}: 503 with Retry-After within ${BOUND_MS} ms, /readyz too, and serves again by itself after the start, with no 2xx lost`, async () => {
      const server = await startPrivatePostgres();
      try {
        await unavailableThenRecovered(server.url, () => server.halt(mode), () => server.restart());
      } finally {
        server.stop();
      }
    }, 120_000);
  }
});
