/**
 * Delivery across a crash: the gate is killed with SIGKILL while the receiver holds its request;
 * the restarted gate sends the event again once the lease is up, with the same body and the same
 * Idempotency-Key, and the receiver acknowledges it once. `arbiter dlq` then reads the outbox.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../adapters/delivery/webhook.js';
import { arbiter } from './helpers/cli.js';
import { HOOKED } from './helpers/delivery.js';
import { miniFiles } from './helpers/policy.js';
import { killAll, postDecision, serveProcess } from './helpers/process.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';

afterEach(killAll);
const receivers: Receiver[] = [];
afterAll(async () => { for (const r of receivers) await r.close(); });

/** Waits (polling) until `done` holds; the bound only keeps a broken run from hanging. */
async function until(done: () => boolean, what: string, boundMs = 60_000): Promise<void> {
  const stop = Date.now() + boundMs;
  while (!done()) {
    if (Date.now() > stop) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('delivery after kill -9', () => {
  it('sends the event again after a restart, only with the same idempotency key, and the receiver acknowledges it once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arbiter-deliver-'));
    const policy = { ...HOOKED, action: { ...HOOKED.action, deliver: { url_env: 'HOOK_URL', secret_env: 'HOOK_SECRET', timeout: '30s', max_attempts: 5 } } };
    for (const [path, text] of miniFiles(policy)) { mkdirSync(dirname(join(dir, 'policy', path)), { recursive: true }); writeFileSync(join(dir, 'policy', path), text); }
    const r = await startReceiver(['hold', 200]);
    receivers.push(r);
    const env = { HOOK_URL: r.url, HOOK_SECRET: 'whsec_process' };
    const args = ['--dir', join(dir, 'policy'), '--store', `sqlite:${join(dir, 'd.db')}`, '--delivery-poll', '1s', '--delivery-lease', '5s'];
    const first = await serveProcess(args, env);
    const d = await postDecision(first.url, first.key, { action: 't', proposal: { id: 'p-1', amount: 20 } });
    expect([d.status, d.body.outcome]).toEqual([200, 'approve']);
    await until(() => r.got.length === 1, 'the first send');
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await serveProcess(args, env);
    await until(() => r.acked().length === 1, 'the send after the restart');
    expect(r.got.map((g) => g.answered)).toEqual(['held', 200]);
    expect(r.got.map((g) => g.headers['idempotency-key'])).toEqual([d.body.id, d.body.id]);
    expect(r.got[1]!.body).toBe(r.got[0]!.body);
    for (const g of r.got) expect(verifyWebhook('whsec_process', g.headers, g.body)).toMatchObject({ ok: true, idempotencyKey: d.body.id });

    const list = await arbiter('dlq', 'list', '--status', 'delivered', '--gate', second.url, '--key', second.key);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(new RegExp(`^[0-9a-f-]{36}  t  decision ${String(d.body.id)}  delivered  1/5 attempts  `));
    const none = await arbiter('dlq', 'list', '--gate', second.url, '--key', second.key);
    expect([none.code, none.out.trim()]).toEqual([0, 'no dead deliveries']);
    const bad = await arbiter('dlq', 'replay', '00000000-0000-0000-0000-000000000000', '--gate', second.url, '--key', second.key);
    expect([bad.code, bad.err.trim()]).toEqual([1, 'arbiter dlq: not_found: no delivery `00000000-0000-0000-0000-000000000000`']);
  });
});
