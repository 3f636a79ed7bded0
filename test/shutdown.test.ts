/**
 * Stopping and starting the gate as a process: SIGTERM under keep-alive load stops deciding within
 * the drain deadline, and a port already in use is an exit 1 with a clear message.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';
import { killAll, serveProcess } from './helpers/process.js';

const proposal = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-proposal.json'), 'utf8')) as Record<string, unknown>;
const context = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-context.json'), 'utf8')) as Record<string, unknown>;
const store = () => `sqlite:${join(mkdtempSync(join(tmpdir(), 'arbiter-stop-')), 'decisions.db')}`;

afterEach(killAll);

interface Answer { status: number; connection: string | undefined; at: number }

/** One decision over `agent`'s kept-alive connections. */
function decide(url: string, key: string, agent: Agent): Promise<Answer> {
  const body = JSON.stringify({ action: 'refund_order', proposal: { ...proposal, proposal_id: crypto.randomUUID() }, context });
  return new Promise((ok, fail) => {
    const req = request(`${url}/v1/decisions`, { method: 'POST', agent, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => ok({ status: res.statusCode!, connection: res.headers.connection, at: Date.now() }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

describe('arbiter serve, stopping and starting', () => {
  it('SIGTERM under keep-alive load stops deciding: requests after it are answered with Connection: close, and the process exits within the drain deadline', async () => {
    const s = await serveProcess(['--store', store()]);
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const answers: Answer[] = [];
    let exited = false;
    void s.exited.then(() => { exited = true; });
    // Eight callers that never pause, each on its own kept-alive connection.
    const callers = Array.from({ length: 8 }, async () => {
      while (!exited) {
        try { answers.push(await decide(s.url, s.key, agent)); } catch { await new Promise((r) => setTimeout(r, 20)); }
      }
    });
    await expect.poll(() => answers.length, { timeout: 20_000 }).toBeGreaterThan(50);
    const term = Date.now();
    s.child.kill('SIGTERM');
    const deadline = setTimeout(() => s.child.kill('SIGKILL'), 30_000);
    const code = await s.exited;
    clearTimeout(deadline);
    const stoppedAfter = Date.now() - term;
    await Promise.all(callers);
    agent.destroy();
    expect(code).toBe(0);
    // The drain deadline is 5 s; the bound here is generous for a loaded machine.
    expect(stoppedAfter).toBeLessThan(10_000);
    expect(s.stderr()).toContain('SIGTERM: finishing requests in flight, then stopping');
    // Each kept-alive connection gets at most its request in flight answered, then closes.
    expect(answers.filter((a) => a.at > term + 2000)).toEqual([]);
    expect(answers.filter((a) => a.at > term && a.status !== 200)).toEqual([]);
    expect(answers.filter((a) => a.at > term).length).toBeLessThanOrEqual(16);
    expect(answers.some((a) => a.at > term && a.connection === 'close')).toBe(true);
  });

  it('a port already in use exits 1 with a clear message instead of running forever', async () => {
    const taken = createServer();
    await new Promise<void>((ok) => taken.listen(0, '127.0.0.1', () => ok()));
    const port = (taken.address() as AddressInfo).port;
    try {
      const child = spawn(process.execPath, [join(ROOT, 'dist/cli/bin.js'), 'serve', '--port', String(port), '--store', store(), '--log-level', 'warn'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      clearTimeout(timer);
      expect(code).toBe(1);
      expect(err).toContain(`arbiter serve: cannot listen on 127.0.0.1:${port}: the address is already in use`);
    } finally {
      taken.close();
    }
  });
});
