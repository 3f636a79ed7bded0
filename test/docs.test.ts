/**
 * docs/server.md stays true: its settings and error tables equal the code's, and its walkthrough
 * runs, command by command, against a gate, each answer matching the one shown (ids, times,
 * revisions and the development key may differ; an id shown twice must be the same id twice).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_ERRORS } from '../server/errors.js';
import { SETTINGS } from '../server/main.js';
import { PLANTED, ROOT } from './helpers/cli.js';
import { like, sameIds, volatile } from './helpers/doc-blocks.js';
import { killAll, serveProcess, type Served } from './helpers/process.js';

const doc = readFileSync(join(ROOT, 'docs/server.md'), 'utf8');
const ci = readFileSync(join(ROOT, 'docs/ci.md'), 'utf8');

function between(start: string, end: string): string {
  const from = doc.indexOf(start), to = doc.indexOf(end, from);
  expect(from, `docs/server.md has no \`${start}\``).toBeGreaterThanOrEqual(0);
  return doc.slice(from + start.length, to).trim();
}

describe('docs/server.md', () => {
  it('lists every setting as the code defines it', () => {
    const rows = SETTINGS.map((s) => `| \`--${s.name}\` | \`${s.env}\` | ${s.dflt ? `\`${s.dflt}\`` : 'none'} | ${s.about} |`);
    expect(between('<!-- settings: generated from SETTINGS in server/main.ts; test/docs.test.ts keeps them equal -->', '<!-- /settings -->'))
      .toBe(['| flag | environment | default | meaning |', '|---|---|---|---|', ...rows].join('\n'));
  });

  it('lists every error code with its status as the code defines it', () => {
    const rows = Object.entries(HTTP_ERRORS).map(([code, e]) => `| \`${code}\` | ${e.status} | ${e.about} |`);
    expect(between('<!-- errors: generated from HTTP_ERRORS in server/errors.ts; test/docs.test.ts keeps them equal -->', '<!-- /errors -->'))
      .toBe(['| code | status | meaning |', '|---|---|---|', ...rows].join('\n'));
  });

  describe('walkthrough', () => {
    const blocks = [...between('## Walkthrough', '## Settings').matchAll(/```(\w+)\n([\s\S]*?)```(\n\n\(Abridged)?/g)]
      .map((m) => ({ lang: m[1]!, text: m[2]!, abridged: m[3] !== undefined }));
    const store = join(mkdtempSync(join(tmpdir(), 'arbiter-docs-')), 'arbiter.db');
    let gate: Served;
    beforeAll(async () => { gate = await serveProcess(['--store', `sqlite:${store}`]); });
    afterAll(killAll);

    it('starts as shown', () => {
      expect(blocks[0]).toMatchObject({ lang: 'sh', text: 'npm install && npm start\n' });
      const shown = blocks[1]!.text.replace(/sqlite:data\/arbiter\.db/, 'STORE').replace(/from .*/, 'from DIR');
      const printed = gate.stderr().replace(`sqlite:${store}`, 'STORE').replace(/from .*/, 'from DIR').replace(gate.url, 'http://127.0.0.1:8787');
      expect(volatile(printed)).toBe(volatile(shown));
    });

    it('answers every command as shown', async () => {
      expect(blocks[2]!.text).toMatch(/^URL=http:\/\/127\.0\.0\.1:8787\nKEY=arb_dev_[0-9a-f]{64}\n$/);
      const ids = new Map<string, string>();
      const pairs = blocks.slice(3);
      expect(pairs.length).toBe(12);
      for (let i = 0; i < pairs.length; i += 2) {
        const [command, answer] = [pairs[i]!, pairs[i + 1]!];
        expect(command.lang).toBe('sh');
        const script = command.text.replaceAll('data/arbiter.db', store);
        const { stdout, stderr } = await promisify(execFile)('bash', ['-c', script], { cwd: ROOT, env: { ...process.env, URL: gate.url, KEY: gate.key } })
          .catch((e: { stdout: string; stderr: string }) => e);
        // npm may warn about its own configuration when npx starts; that is not the command's output.
        const out = (stdout + stderr.replace(/^npm warn .*\n/gm, '')).replaceAll(store, 'data/arbiter.db');
        if (answer.lang === 'json') like(JSON.parse(answer.text), JSON.parse(out), ids, !answer.abridged, command.text);
        else expect(sameIds(volatile(out), answer.text, ids), command.text).toBe(volatile(answer.text).trim());
      }
    });
  });
});

describe('docs/ci.md', () => {
  const script = /```sh\n(#!\/bin\/sh\n# ci\.sh[\s\S]*?)```/.exec(ci)?.[1];
  const run = (dir: string) => promisify(execFile)('sh', ['-c', script!], {
    cwd: mkdtempSync(join(tmpdir(), 'arbiter-ci-')), env: { ...process.env, ARBITER: `node ${join(ROOT, 'dist/cli/bin.js')}`, DIR: dir },
  }).then((r) => ({ code: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => e);

  it('has a pipeline script that passes on the bundled pack', async () => {
    expect(script).toBeDefined();
    const r = await run(ROOT);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok: 5 actions, \d+ rules, revision sha256:/m);
    expect(r.stdout).toMatch(/^total: rules 56\/56 \(100\.0%\), branches 74\/74 \(100\.0%\), outcomes 15\/15 \(100\.0%\)$/m);
    expect(r.stdout).toMatch(/^ok: 5 actions: 10,000 inputs, [\d,]+ cases in /m);
    expect(r.stdout).toMatch(/^ok: 0 errors, 0 warnings, \d+ notes in 5 actions/m);
  });

  it('stops at the first check that fails', async () => {
    const r = await run(PLANTED);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('rule coverage 87.5% is below --min-coverage 100%\n');
    expect(r.stdout).not.toContain('inputs');
  });
});
