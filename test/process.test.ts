/**
 * The gate as a process: serve prints its URL and a development key, SIGTERM drains and exits 0,
 * SIGHUP reloads, a kill -9 loses no decision that was answered 200, and two replicas on one
 * PostgreSQL make one decision per key with a chain that verifies.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { arbiter, copyOfPack, ROOT } from './helpers/cli.js';
import { afterRestart, killAll, postDecision, serveProcess } from './helpers/process.js';
import { freshPgDatabase, PG_SKIP } from './helpers/stores.js';

const proposal = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-proposal.json'), 'utf8')) as Record<string, unknown>;
const context = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-context.json'), 'utf8')) as Record<string, unknown>;
const refund = (id: string = randomUUID(), amount = 650) => ({ action: 'refund_order', proposal: { ...proposal, proposal_id: id, amount }, context });
const store = () => `sqlite:${join(mkdtempSync(join(tmpdir(), 'arbiter-proc-')), 'decisions.db')}`;

afterEach(killAll);

describe('arbiter serve', () => {
  it('prints the URL and a development key, serves, and drains on SIGTERM', async () => {
    const s = await serveProcess(['--store', store()]);
    expect(s.stderr()).toContain('No --keys file was given, so these keys were generated for this process only:');
    expect(s.key).toMatch(/^arb_dev_/);
    expect(s.reviewKey).toMatch(/^arb_reviewer_/);
    const first = await postDecision(s.url, s.key, refund('0b6f8a2e-4c1d-4e7a-9f3b-2d5c8e1a7b90'));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ outcome: 'review', reasons: [{ rule: 'refund.large_needs_person' }] });
    const again = await postDecision(s.url, s.key, refund('0b6f8a2e-4c1d-4e7a-9f3b-2d5c8e1a7b90'));
    expect(again.body).toMatchObject({ id: first.body.id, replayed: true });
    const inflight = Array.from({ length: 20 }, () => postDecision(s.url, s.key, refund()));
    s.child.kill('SIGTERM');
    const answered = await Promise.allSettled(inflight);
    expect(await s.exited).toBe(0);
    expect(s.stderr()).toContain('SIGTERM: finishing requests in flight, then stopping');
    for (const a of answered) if (a.status === 'fulfilled') expect(a.value.status).toBe(200);
  });

  it('reloads the policy on SIGHUP, and keeps the old one when the new one does not compile', async () => {
    const dir = copyOfPack();
    const s = await serveProcess(['--dir', dir, '--store', store()]);
    const policy = async () => (await (await fetch(`${s.url}/v1/policy`, { headers: { authorization: `Bearer ${s.key}` } })).json()) as { revision: string; lastReload: { ok: boolean; errors: string[] } };
    const before = await policy();
    const file = join(dir, 'rules/refund_order.yaml');
    const tests = join(dir, 'rules/refund_order.test.yaml');
    // A change of policy comes with its tests: the reload runs them before it swaps.
    writeFileSync(file, readFileSync(file, 'utf8').replace('value: 500 }', 'value: 650 }'));
    writeFileSync(tests, readFileSync(tests, 'utf8').replace(/amount: 600 \}/g, 'amount: 660 }').replace(/refund of 600 EUR/g, 'refund of 660 EUR'));
    s.child.kill('SIGHUP');
    await expect.poll(async () => (await policy()).revision, { timeout: 10_000 }).not.toBe(before.revision);
    expect((await postDecision(s.url, s.key, refund())).body.outcome).toBe('approve');
    const good = (await policy()).revision;
    writeFileSync(file, readFileSync(file, 'utf8').replace('operator: greaterThan, value: 650', 'operator: greaterThen, value: 650'));
    s.child.kill('SIGHUP');
    await expect.poll(async () => (await policy()).lastReload.ok, { timeout: 10_000 }).toBe(false);
    expect((await policy()).revision).toBe(good);
    expect((await policy()).lastReload.errors[0]).toContain('unknown_operator');
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });

  it('reloads when a file changes under --watch', async () => {
    const dir = copyOfPack();
    const s = await serveProcess(['--dir', dir, '--store', store(), '--watch']);
    const revision = async () => ((await (await fetch(`${s.url}/v1/policy`, { headers: { authorization: `Bearer ${s.key}` } })).json()) as { revision: string }).revision;
    const before = await revision();
    const file = join(dir, 'rules/refund_order.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('\nrisk:\n', '\n  - id: refund.watched\n    outcome: review\n    when: { fact: proposal.order_id, operator: equal, value: o-1 }\n\nrisk:\n'));
    await expect.poll(revision, { timeout: 10_000 }).not.toBe(before);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });

  it('loses no answered decision to kill -9, and the chain still verifies', async () => {
    const url = store();
    const s = await serveProcess(['--store', url]);
    const answered: string[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        try {
          const r = await postDecision(s.url, s.key, refund());
          if (r.status === 200) answered.push(String(r.body.id));
        } catch { /* the connection died with the process */ }
      }
    };
    const workers = Array.from({ length: 16 }, worker);
    // Killed under load once enough decisions were answered, however fast this machine answers them.
    await expect.poll(() => answered.length, { timeout: 60_000, interval: 10 }).toBeGreaterThan(100);
    s.child.kill('SIGKILL');
    await s.exited;
    stop = true;
    await Promise.all(workers);
    expect(answered.length).toBeGreaterThan(100);

    const { missing, stopped, verify } = await afterRestart(url, answered);
    expect(missing).toEqual([]);
    expect(stopped).toBe(0);
    expect(verify.code).toBe(0);
    expect(verify.out).toMatch(/^ok: the chain of \d+ records in sqlite:.* is intact\n$/);
  });
});

describe.skipIf(PG_SKIP !== '')(`two replicas on one PostgreSQL${PG_SKIP ? ` (${PG_SKIP})` : ''}`, () => {
  it('make one decision per key, with duplicates spread across both, and one chain', async () => {
    const url = await freshPgDatabase();
    const [a, b] = await Promise.all([serveProcess(['--store', url]), serveProcess(['--store', url])]);
    const ids = Array.from({ length: 60 }, () => randomUUID());
    const requests = ids.flatMap((id, i) => [0, 1, 2, 3].map((k) => {
      const s = (i + k) % 2 ? a : b;
      return postDecision(s.url, s.key, refund(id));
    }));
    const results = await Promise.all(requests);
    expect(results.every((r) => r.status === 200)).toBe(true);
    for (let i = 0; i < ids.length; i++) {
      const group = results.slice(i * 4, i * 4 + 4);
      expect(new Set(group.map((r) => r.body.id)).size).toBe(1);
      expect(group.filter((r) => r.body.replayed === false).length).toBe(1);
    }
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
    const verify = await arbiter('audit', 'verify', '--store', url);
    expect(verify.out).toBe(`ok: the chain of 60 records in ${url} is intact\n`);
  });
});
