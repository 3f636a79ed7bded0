/**
 * docs/replay.md's walkthrough runs: its replay script against `arbiter serve` as a child process,
 * in a copy of the pack, and its diff script in a git repository of the pack; each prints what the
 * docs show. Counts the clock moves (the proposals carry dates drawn around the time they are
 * drawn) are compared as digits; the diff, with its seed and `--now` fixed, exactly.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyOfPack, ROOT } from './helpers/cli.js';
import { ID, volatile } from './helpers/doc-blocks.js';
import { killAll, serveProcess, type Served } from './helpers/process.js';

const doc = readFileSync(join(ROOT, 'docs/replay.md'), 'utf8');
const blocks = [...doc.slice(doc.indexOf('## Walkthrough'), doc.indexOf('## `arbiter replay`')).matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, text: m[2]! }));
const env = { ...process.env, ARBITER: `node ${join(ROOT, 'dist/cli/bin.js')}`, SUBMIT: `node ${join(ROOT, 'dist/bench/replay/submit.js')}` };
const run = (script: string, cwd: string, more: Record<string, string> = {}) => promisify(execFile)('sh', ['-c', script], { cwd, env: { ...env, ...more } })
  .then((r) => ({ code: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => e);
const digits = (s: string) => volatile(s).replace(ID, 'ID').replace(/\d[\d,]*/g, 'N').replace(/ +/g, ' ');

describe('docs/replay.md walkthrough', () => {
  let gate: Served;
  const dir = copyOfPack();
  beforeAll(async () => { gate = await serveProcess(['--store', `sqlite:${join(dir, 'arbiter.db')}`]); });
  afterAll(killAll);

  it('submits, exports and replays as shown', async () => {
    const [script, shown] = [blocks[0]!, blocks[1]!];
    expect([script.lang, shown.lang]).toEqual(['sh', 'text']);
    expect(script.text).toMatch(/^#!\/bin\/sh\n# replay\.sh/);
    const r = await run(script.text, dir, { URL: gate.url, KEY: gate.key, STORE: `sqlite:${join(dir, 'arbiter.db')}` });
    expect(r.stderr).toBe('wrote 300 records to decisions.jsonl\n');
    expect(r.code).toBe(0);
    // Up to the examples, line by line; of the example, its heading and what made it flip.
    const [head, example] = r.stdout.replace(gate.url, 'http://127.0.0.1:8787').split('\nexamples\n');
    const [shownHead, shownExample] = shown.text.split('\nexamples\n');
    expect(digits(head!)).toBe(digits(shownHead!));
    expect(digits(example!.split('\n').slice(0, 5).join('\n'))).toBe(digits(shownExample!.split('\n').slice(0, 5).join('\n')));
    expect(example).toContain('│     └─ ✓ context.customer.open_tickets = ');
  });

  it('diffs the committed change as shown', async () => {
    const [script, shown] = [blocks[2]!, blocks[3]!];
    expect(script.text).toMatch(/^#!\/bin\/sh\n# diff\.sh/);
    const repo = copyOfPack();
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { stdio: 'pipe' });
    git('init', '-q');
    git('add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'pack');
    const r = await run(script.text, repo, { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(volatile(r.stdout)).toBe(volatile(shown.text));
  });
});
