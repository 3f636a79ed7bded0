/**
 * docs/review.md stays true: its keyboard map is the page's, and its walkthrough runs against
 * `arbiter serve` as a child process, command by command, with the review page driven by keys in
 * chromium where the walkthrough says to use it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS } from '../server/ui/page.js';
import { BROWSER_SKIP, launch } from './helpers/browser.js';
import { ROOT } from './helpers/cli.js';
import { like, volatile } from './helpers/doc-blocks.js';
import { killAll, serveProcess, type Served } from './helpers/process.js';

const doc = readFileSync(join(ROOT, 'docs/review.md'), 'utf8');

function between(start: string, end: string): string {
  const from = doc.indexOf(start), to = doc.indexOf(end, from);
  expect(from, `docs/review.md has no \`${start}\``).toBeGreaterThanOrEqual(0);
  return doc.slice(from + start.length, to).trim();
}

describe('docs/review.md', () => {
  it('shows the keyboard map the page shows', () => {
    expect(between('<!-- keys: generated from KEYS in server/ui/page.ts; test/review-docs.test.ts keeps them equal -->', '<!-- /keys -->'))
      .toBe(['| key | what it does |', '|---|---|', ...KEYS.map(([k, what]) => `| \`${k}\` | ${what} |`)].join('\n'));
  });

  describe.skipIf(Boolean(BROWSER_SKIP))(`walkthrough${BROWSER_SKIP ? ` (${BROWSER_SKIP})` : ''}`, () => {
    const blocks = [...between('## Walkthrough', '## The queue').matchAll(/```(\w+)\n([\s\S]*?)```(\n\n\(Abridged)?/g)]
      .map((m) => ({ lang: m[1]!, text: m[2]!, abridged: m[3] !== undefined }));
    const store = join(mkdtempSync(join(tmpdir(), 'arbiter-review-docs-')), 'arbiter.db');
    let gate: Served;
    let browser: Browser;
    beforeAll(async () => { [gate, browser] = await Promise.all([serveProcess(['--store', `sqlite:${store}`]), launch()]); });
    afterAll(async () => { await browser?.close(); await killAll(); });

    const ids = new Map<string, string>();
    const run = async (i: number, env: Record<string, string> = {}) => {
      const [command, answer] = [blocks[i]!, blocks[i + 1]!];
      expect(command.lang).toBe('sh');
      const { stdout, stderr } = await promisify(execFile)('bash', ['-c', command.text.replaceAll('data/arbiter.db', store)], { cwd: ROOT, env: { ...process.env, URL: gate.url, KEY: gate.key, ...env } })
        .catch((e: { stdout: string; stderr: string }) => e);
      const out = (stdout + stderr.replace(/^npm warn .*\n/gm, '')).replaceAll(store, 'data/arbiter.db');
      if (answer.lang === 'json') like(JSON.parse(answer.text), JSON.parse(out), ids, !answer.abridged, command.text, true);
      else expect(volatile(out), command.text).toBe(volatile(answer.text));
      return out;
    };

    it('submits, approves on the page with the keyboard alone, and the caller and the log see the verdict', async () => {
      expect(blocks[0]).toMatchObject({ lang: 'sh', text: 'npm install && npm start\n' });
      expect(blocks[1]!.text).toMatch(/^URL=http:\/\/127\.0\.0\.1:8787\nKEY=arb_dev_[0-9a-f]{64}\n$/);
      expect(gate.reviewKey).toMatch(/^arb_reviewer_[0-9a-f]{64}$/);
      const submitted = JSON.parse(await run(2)) as { id: string };
      expect(doc).toContain(`Keep the id: \`ID=${[...ids.keys()][0]}\``);

      const page = await browser.newPage();
      await page.goto(`${gate.url}/review`);
      await page.locator('[data-role=key]').focus();
      await page.keyboard.insertText(gate.reviewKey);
      await page.keyboard.press('Enter');
      await page.locator(`.item.focused[data-id="${submitted.id}"]`).waitFor();
      await page.keyboard.press('Enter');
      await page.locator(`.detail[data-id="${submitted.id}"]`).waitFor();
      await page.keyboard.press('a');
      await run(4, { ID: submitted.id });
      await run(6);
      await run(8);
    });
  });
});
