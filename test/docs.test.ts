/**
 * docs/server.md stays true: its settings and error tables equal the code's, and its walkthrough
 * runs, command by command, against a gate, each answer matching the one shown (ids, times,
 * revisions and the development key may differ; an id shown twice must be the same id twice).
 * The examples of docs/rules.md marked `<!-- example … -->` compile, decide and fail as shown;
 * the worked example of docs/policies.md's "Evolving a contract" is written out as a pack and
 * run, and docs/ci.md's pipeline script runs on the bundled pack.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePolicy, decide, formatDiagnostic, type CompiledPolicy } from '../engine/index.js';
import { HTTP_ERRORS } from '../server/errors.js';
import { SETTINGS } from '../server/main.js';
import { arbiter, PLANTED, ROOT } from './helpers/cli.js';
import { like, sameIds, volatile } from './helpers/doc-blocks.js';
import { miniFiles } from './helpers/policy.js';
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
      expect(pairs.length).toBe(14);
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

describe('docs/policies.md "Evolving a contract"', () => {
  const policies = readFileSync(join(ROOT, 'docs/policies.md'), 'utf8');
  const section = policies.slice(policies.indexOf('## Evolving a contract'), policies.indexOf('## Tests'));
  const files = new Map([...section.matchAll(/<!-- file: (\S+) -->\n```\w+\n([\s\S]*?)```/g)].map((m) => [m[1]!, m[2]!]));
  const blocks = [...section.matchAll(/(?<!-->\n)```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, text: m[2]! }));
  const pack = () => {
    const dir = mkdtempSync(join(tmpdir(), 'arbiter-evolving-'));
    for (const [path, text] of files) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  };

  it('holds a worked v1 → v2 with a rename and a new required member with a default', () => {
    expect([...files.keys()]).toEqual(['schemas/open_ticket/1.schema.json', 'schemas/open_ticket/2.schema.json', 'schemas/open_ticket/1.upgrade.yaml', 'rules.registry.yaml', 'rules/open_ticket.yaml', 'ticket-v1.json']);
    expect(files.get('schemas/open_ticket/1.upgrade.yaml')).toMatch(/- rename: .*\n\s+- default: /);
    expect(blocks.map((b) => b.lang)).toEqual(['sh', 'json', 'text']);
  });

  it('decides the version-1 proposal as shown', async () => {
    const dir = pack();
    const argv = blocks[0]!.text.trim().replace(/^npx arbiter /, '').split(/\s+/).map((a) => (a.endsWith('.json') ? join(dir, a) : a));
    const r = await arbiter(...argv, '--dir', dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject(JSON.parse(blocks[1]!.text) as object);
  });

  it('has arbiter check refuse the upgrade without its default, as shown', async () => {
    const dir = pack();
    const upgrade = join(dir, 'schemas/open_ticket/1.upgrade.yaml');
    writeFileSync(upgrade, readFileSync(upgrade, 'utf8').replace(/^ {2}- default: .*\n/m, ''));
    const r = await arbiter('check', '--dir', dir);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`${blocks[2]!.text}1 error\n`);
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

describe('docs/rules.md examples', () => {
  const text = readFileSync(join(ROOT, 'docs/rules.md'), 'utf8');
  const BLOCK = {
    contract: /```json\n([\s\S]*?)```/y,
    rules: /```yaml\n([\s\S]*?)```/y,
    error: /```yaml\n([\s\S]*?)```\n\n```text\n([\s\S]*?)```/y,
    decisions: /\| proposal \| outcome \| fired \|\n\|[-|]+\|\n((?:\|.*\|\n)+)/y,
  };
  const examples = [...text.matchAll(/<!-- example (contract|rules|decisions|error): (\S+) -->\n/g)].map((m) => {
    const kind = m[1] as keyof typeof BLOCK;
    const block = BLOCK[kind];
    block.lastIndex = m.index + m[0].length;
    const body = block.exec(text);
    expect(body, `the ${kind} example for \`${m[2]}\``).not.toBeNull();
    return { kind, name: m[2]!, body: body!.slice(1) };
  });
  const contracts = new Map<string, object>();
  const contractOf = (name: string) => contracts.get(name) ?? JSON.parse(readFileSync(join(ROOT, name), 'utf8')) as object;
  const policies = new Map<string, CompiledPolicy>();

  it('compile with no diagnostics, decide and fail as shown', () => {
    expect(examples.map((e) => e.kind).sort()).toEqual(['contract', 'decisions', 'decisions', 'error', 'rules', 'rules', 'rules']);
    for (const e of examples) {
      const [first = '', second = ''] = e.body;
      if (e.kind === 'contract') contracts.set(e.name, JSON.parse(first) as object);
      if (e.kind === 'rules') {
        const r = compilePolicy(miniFiles({ contract: contractOf(e.name), rules: first }));
        expect(r.diagnostics.map(formatDiagnostic), first).toEqual([]);
        if (r.ok) policies.set(e.name, r.policy);
      }
      if (e.kind === 'error') {
        const r = compilePolicy(miniFiles({ contract: contractOf(e.name), rules: first }));
        expect(r.diagnostics.map(formatDiagnostic).join('\n').replaceAll('rules/t.yaml', 'rules/claims.yaml')).toBe(second.trim());
      }
      if (e.kind === 'decisions') {
        for (const row of first.trim().split('\n')) {
          const [proposal, outcome, fired] = row.split('|').slice(1, -1).map((c) => c.trim());
          for (const evaluator of ['compiled', 'interpreted'] as const) {
            const d = decide(policies.get(e.name)!, { action: 't', proposal: JSON.parse(proposal!.slice(1, -1)), now: '2026-11-21T10:00:00Z' }, { evaluator });
            expect({ row, outcome: d.outcome, fired: d.fired.enforce }).toEqual({ row, outcome, fired: fired ? fired.replaceAll('`', '').split(', ') : [] });
          }
        }
      }
    }
  });
});
