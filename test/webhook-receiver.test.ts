/** The receiver docs/delivery.md shows (examples/webhook-receiver.mjs), run as written, fed by the delivery worker. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { send } from '../adapters/delivery/send.js';
import { DeliveryWorker } from '../adapters/delivery/worker.js';
import { recordDecision } from '../gate/record.js';
import { ROOT } from './helpers/cli.js';
import { HOOKED } from './helpers/delivery.js';
import { compileMini } from './helpers/policy.js';
import { sqlite } from './helpers/stores.js';

const policy = compileMini(HOOKED);
const SECRET = 'whsec_example';

describe('examples/webhook-receiver.mjs', () => {
  const child = spawn(process.execPath, [join(ROOT, 'examples/webhook-receiver.mjs')], { env: { ...process.env, WEBHOOK_SECRET: SECRET, PORT: '0' }, cwd: ROOT });
  let out = '';
  child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
  afterAll(() => { child.kill(); });
  /** Waits for the receiver to print `text` (its output arrives after its answer). */
  const printed = async (text: string) => { while (!out.includes(text)) await new Promise((r) => setTimeout(r, 20)); };

  it('verifies, executes an approved decision once, and refuses a tampered body with a 400 that dead-letters it', async () => {
    const url = await new Promise<string>((ok, fail) => {
      child.stdout.on('data', () => { const m = /listening on (\S+)/.exec(out); if (m) ok(m[1]!); });
      child.once('exit', (code) => fail(new Error(`the receiver exited (${code})`)));
    });
    const { store } = await sqlite.open();
    const now = new Date();
    const proposal = { id: 'p-1', amount: 20 };
    const rec = await recordDecision({ log: store, clock: () => now, idempotencyTtlMs: 3600_000 }, { action: policy.actions.get('t')!, policy, proposal, requestText: JSON.stringify({ action: 't', proposal }), caller: 'svc' });
    if (rec.kind !== 'created') throw new Error('not created');
    const worker = new DeliveryWorker({ outbox: store, env: { HOOK_URL: url, HOOK_SECRET: SECRET }, fetch: globalThis.fetch, clock: () => now, random: () => 0.5 });
    expect(await worker.tick()).toBe(1);
    const d = (await store.deliveries({ limit: 1 })).items[0]!;
    expect(d.status).toBe('delivered');
    await printed(`execute t for decision ${rec.id}: {"id":"p-1","amount":20}`);

    const ts = Math.floor(Date.now() / 1000);
    const again = await send(globalThis.fetch, { url, secret: SECRET, body: d.body, idempotencyKey: rec.id, timestamp: ts, timeoutMs: 5000 });
    expect([again.status, again.verdict]).toEqual([200, 'delivered']);
    const tampered = await send(globalThis.fetch, { url, secret: 'not-the-secret', body: d.body, idempotencyKey: rec.id, timestamp: ts, timeoutMs: 5000 });
    expect([tampered.status, tampered.verdict, tampered.error]).toEqual([400, 'dead', 'the receiver answered 400: bad_signature']);
    // The receiver writes its lines in order: the duplicate printed nothing before the end of this one.
    const done = await send(globalThis.fetch, { url, secret: SECRET, body: d.body.replace('p-1', 'p-9'), idempotencyKey: 'other', timestamp: ts, timeoutMs: 5000 });
    expect(done.status).toBe(200);
    await printed('"id":"p-9"');
    expect(out.split('{"id":"p-1","amount":20}').length - 1).toBe(1);
    await store.close();
  });
});

describe('docs/delivery.md', () => {
  it('shows the receiver exactly as examples/webhook-receiver.mjs has it', () => {
    const doc = readFileSync(join(ROOT, 'docs/delivery.md'), 'utf8');
    const block = /```js\n([\s\S]*?)```/.exec(doc)![1];
    expect(block).toBe(readFileSync(join(ROOT, 'examples/webhook-receiver.mjs'), 'utf8'));
  });
});
