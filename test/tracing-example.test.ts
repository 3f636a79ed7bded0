/**
 * examples/otel.mjs as docs/server.md runs it: `node --import` it before `arbiter serve`, send a
 * decision with a traceparent, and read the spans it prints and the request log line. Runs dist/
 * (npm run build first).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, started, type Served } from '../bench/http/spawn.js';

let gate: Served | undefined;
afterEach(async () => { gate?.child.kill('SIGKILL'); await gate?.exited; gate = undefined; });

const fixture = (name: string) => JSON.parse(readFileSync(join(ROOT, 'test/fixtures', name), 'utf8')) as unknown;
const refund = { action: 'refund_order', proposal: fixture('refund-proposal.json'), context: fixture('refund-context.json') };
const TRACE = '0af7651916cd43dd8448eb211c80319c';

describe('examples/otel.mjs', () => {
  it('makes the gate export request, decide and append spans in the caller’s trace', async () => {
    const store = `sqlite:${join(mkdtempSync(join(tmpdir(), 'arbiter-otel-')), 'd.db')}`;
    const child = spawn(process.execPath, ['--import', './examples/otel.mjs', 'dist/cli/bin.js', 'serve', '--port', '0', '--store', store], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    gate = await started(child);
    const r = await fetch(`${gate.url}/v1/decisions`, {
      method: 'POST', body: JSON.stringify(refund),
      headers: { authorization: `Bearer ${gate.key}`, 'content-type': 'application/json', traceparent: `00-${TRACE}-b7ad6b7169203331-01` },
    });
    expect(r.status).toBe(200);
    const outcome = ((await r.json()) as { outcome: string }).outcome;
    // The gate buffers its log lines until it stops; each span is printed as it ends.
    gate.child.kill('SIGTERM');
    expect(await gate.exited).toBe(0);
    const line = out.split('\n').filter((l) => l.startsWith('{"')).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'request');
    expect(line).toMatchObject({ traceId: TRACE, route: '/v1/decisions', status: 200, outcome });
    for (const name of ['POST /v1/decisions', 'arbiter.decide', 'arbiter.store.append']) expect(out).toContain(`name: '${name}'`);
    // Each span's own trace id, and the parent's of each: the caller's span, then the request's.
    expect(out.match(new RegExp(`traceId: '${TRACE}'`, 'g'))).toHaveLength(6);
    expect(out).toContain("spanId: 'b7ad6b7169203331'");
    expect(out).toContain("'arbiter.contract_version': 'refund_order@2'");
    expect(out).toContain(`'arbiter.outcome': '${outcome}'`);
  });
});
