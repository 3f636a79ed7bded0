/**
 * docs/model.md stays true: its offline walkthrough runs, command by command, against the fake
 * Messages API started as `npm run demo:model` starts it (from dist/) and a gate, each answer
 * matching the one shown (ids, times, revisions, keys and latency may differ).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';
import { like } from './helpers/doc-blocks.js';
import { killAll, serveProcess, type Served } from './helpers/process.js';

const doc = readFileSync(join(ROOT, 'docs/model.md'), 'utf8');
const SHOWN_FAKE = 'http://127.0.0.1:8788';

function between(start: string, end: string): string {
  const from = doc.indexOf(start), to = doc.indexOf(end, from);
  expect(from, `docs/model.md has no \`${start}\``).toBeGreaterThanOrEqual(0);
  return doc.slice(from + start.length, to).trim();
}

describe('docs/model.md walkthrough', () => {
  const blocks = [...between('## Walkthrough (offline)', '## What the adapter does').matchAll(/```(\w+)\n([\s\S]*?)```(\n\n\(Abridged)?/g)]
    .map((m) => ({ lang: m[1]!, text: m[2]!, abridged: m[3] !== undefined }));
  let fake: ChildProcess;
  let fakeUrl: string;
  let fakeSays = '';
  let gate: Served;
  beforeAll(async () => {
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts['demo:model']).toBe('npm run build --silent && node dist/adapters/models/fake/main.js');
    fake = spawn(process.execPath, ['dist/adapters/models/fake/main.js', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    fakeUrl = await new Promise<string>((resolve, reject) => {
      fake.stderr!.on('data', (c: Buffer) => {
        fakeSays += c.toString();
        const m = /export ANTHROPIC_BASE_URL=(\S+)/.exec(fakeSays);
        if (m) resolve(m[1]!);
      });
      fake.once('exit', (code) => reject(new Error(`the fake exited with ${code}: ${fakeSays}`)));
    });
    gate = await serveProcess(['--store', `sqlite:${join(mkdtempSync(join(tmpdir(), 'arbiter-model-docs-')), 'arbiter.db')}`]);
  });
  afterAll(async () => { fake?.kill('SIGTERM'); await killAll(); });

  it('starts the fake as shown, and answers every command as shown', async () => {
    expect(blocks[0]).toMatchObject({ lang: 'sh', text: 'npm run demo:model\n' });
    expect(fakeSays.replaceAll(fakeUrl, SHOWN_FAKE).trim()).toBe(blocks[1]!.text.trim());
    const ids = new Map<string, string>();
    const env: Record<string, string> = { ANTHROPIC_BASE_URL: fakeUrl, ANTHROPIC_API_KEY: 'offline-demo', URL: gate.url, KEY: gate.key };
    const pairs = blocks.slice(2);
    expect(pairs.length).toBe(10);
    for (let i = 0; i < pairs.length; i += 2) {
      const [command, answer] = [pairs[i]!, pairs[i + 1]!];
      expect([command.lang, answer.lang]).toEqual(['sh', 'json']);
      const { stdout, stderr } = await promisify(execFile)('bash', ['-c', command.text], { cwd: ROOT, env: { ...process.env, ...env } })
        .catch((e: { stdout: string; stderr: string }) => e);
      const shown = JSON.parse(answer.text) as { model?: { latencyMs?: number } };
      // Latency is the one number that differs from run to run.
      const out = (stdout + stderr.replace(/^npm warn .*\n/gm, '')).replace(/"latencyMs": \d+/g, `"latencyMs": ${shown.model?.latencyMs ?? 0}`);
      like(shown, JSON.parse(out), ids, !answer.abridged, command.text, true);
      const id = (JSON.parse(out) as { decision?: { id?: string } }).decision?.id;
      if (id) env.ID = id;
    }
    expect(env.ID).toBeDefined();
    expect(doc).toContain(`Keep the id: \`ID=${[...ids.entries()].find(([, v]) => v === env.ID)![0]}\``);
  }, 300_000);
});
