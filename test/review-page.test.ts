/**
 * The review page in a real browser (Debian's chromium through playwright-core), driven by keys
 * alone: load, move, open, approve, reject with a preset, batch-approve with a count, the batch
 * refusal of a high-risk item, an edit gated again, undo, and a proposal holding markup rendered
 * as text. Each verdict is checked through the API, not only on the screen.
 */
import type { ServerType } from '@hono/node-server';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, BROWSER_SKIP, launch, listen } from './helpers/browser.js';
import { testGate, type TestGate } from './helpers/gate.js';
import { refund, ticket, upgrade } from './helpers/reviews.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe.skipIf(Boolean(BROWSER_SKIP))(`review page in chromium${BROWSER_SKIP ? ` (${BROWSER_SKIP})` : ''}`, () => {
  let browser: Browser;
  const servers: ServerType[] = [];
  beforeAll(async () => { browser = await launch(); });
  afterAll(async () => { await browser?.close(); for (const s of servers) s.close(); });

  /** A gate holding `bodies` as decisions, and a page signed in as `alice` showing its queue. */
  async function signedIn(bodies: unknown[], graceMs = 300) {
    const g = testGate();
    g.deps.reviewGraceMs = graceMs;
    const ids: string[] = [];
    for (const b of bodies) ids.push(((await (await g.post('/v1/decisions', b, g.keys.service)).json()) as Json).id);
    const { url, server } = await listen(g);
    servers.push(server);
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const trouble: string[] = [];
    page.on('pageerror', (e) => trouble.push(`error: ${e.message}`));
    page.on('dialog', (d) => { trouble.push(`dialog: ${d.message()}`); void d.dismiss(); });
    const shell = await page.goto(`${url}/review`);
    expect(shell?.headers()['content-security-policy']).toBe("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
    await page.fill('[data-role=key]', g.keys.alice);
    await page.press('[data-role=key]', 'Enter');
    if (bodies.length) await page.locator('.item').first().waitFor();
    return { g, page, ids, trouble };
  }

  const focusedId = (page: Page) => page.locator('.item.focused').getAttribute('data-id');
  const review = async (g: TestGate, id: string) => ((await (await g.get(`/v1/reviews/${id}`, g.keys.alice)).json()) as Json).review;
  const settled = (g: TestGate, id: string) => expect.poll(async () => (await review(g, id)).status, { timeout: 5000 });

  it('loads the queue, moves with J and K, and opens an item with Enter, showing all of it', async () => {
    const { page, ids, trouble } = await signedIn([ticket(), ticket(), ticket({ high: true }), refund()]);
    expect(await page.locator('.item').count()).toBe(4);
    expect(await focusedId(page)).toBe(ids[0]);
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    expect(await focusedId(page)).toBe(ids[2]);
    await page.keyboard.press('k');
    expect(await focusedId(page)).toBe(ids[1]);
    await page.keyboard.press('Shift+G');
    expect(await focusedId(page)).toBe(ids[3]);
    await page.keyboard.press('g');
    await page.keyboard.press('g');
    expect(await focusedId(page)).toBe(ids[0]);
    await expect.poll(() => page.locator('[data-role=strip]').textContent()).toContain('4 pending');
    await page.screenshot({ path: join(ARTIFACTS, 'review-queue.png') });
    await page.keyboard.press('Shift+G');
    await page.keyboard.press('Enter');
    const detail = page.locator(`.detail[data-id="${ids[3]}"]`);
    await detail.waitFor();
    const text = await detail.innerText();
    for (const shown of ['refund_order', 'refund.large_needs_person', 'refund of 650 EUR for a standard customer needs a person', 'proposal_id', 'order_id', 'o-8812',
      'photos of the broken screen', 'refund_order@2', 'submitted by service', 'left ·']) expect(text).toContain(shown);
    expect(await detail.locator('.preview').innerText()).toMatch(/\/amount\s+720\s+→\s+650/);
    expect(await detail.locator('.field.hot').evaluateAll((els) => els.map((e) => e.getAttribute('data-pointer')))).toEqual(['/amount']);
    expect(await page.locator('[data-role=help]').isHidden()).toBe(true);
    await page.keyboard.press('?');
    expect(await page.locator('[data-role=help]').innerText()).toContain('Shift+J / Shift+K');
    await page.keyboard.press('Escape');
    await page.screenshot({ path: join(ARTIFACTS, 'review-item.png') });
    expect(trouble).toEqual([]);
  });

  it('approves the focused item with A, and rejects the next with R and preset 1', async () => {
    const { g, page, ids, trouble } = await signedIn([ticket(), ticket()]);
    await page.keyboard.press('a');
    await settled(g, ids[0]!).toBe('approved');
    expect(await review(g, ids[0]!)).toMatchObject({ decidedBy: 'alice' });
    expect(await focusedId(page)).toBe(ids[1]);
    await page.keyboard.press('r');
    await page.locator('[data-role=reason-picker]').waitFor();
    await page.keyboard.press('1');
    await settled(g, ids[1]!).toBe('rejected');
    expect(await review(g, ids[1]!)).toMatchObject({ decidedBy: 'alice', reason: { code: 'duplicate', text: 'the customer already has a ticket for this' } });
    await expect.poll(() => page.locator('.item').count()).toBe(0);
    await page.click('[data-tab=closed]');
    await expect.poll(() => page.locator('.item .verdict').allInnerTexts()).toEqual([
      'rejected by alice: the customer already has a ticket for this', 'approved by alice',
    ]);
    expect(trouble).toEqual([]);
  });

  it('shows new items as they arrive', async () => {
    const { g, page, trouble } = await signedIn([ticket()]);
    const later = ((await (await g.post('/v1/decisions', ticket({ high: true }), g.keys.service)).json()) as Json).id as string;
    await page.locator(`.item[data-id="${later}"]`).waitFor({ timeout: 10_000 });
    await expect.poll(() => page.locator('[data-role=strip]').textContent()).toContain('2 pending');
    expect(trouble).toEqual([]);
  });

  it('selects three low-risk items with X and Shift+J and approves them as a batch after confirming the count', async () => {
    const { g, page, ids, trouble } = await signedIn([ticket(), ticket(), ticket(), ticket()]);
    await page.keyboard.press('x');
    await page.keyboard.press('Shift+J');
    await page.keyboard.press('Shift+J');
    expect(await page.locator('.item.selected').count()).toBe(3);
    await page.keyboard.press('a');
    expect(await page.locator('[data-role=confirm]').innerText()).toBe('Approve 3 items of create_support_ticket? Enter: yes · Esc: no');
    await page.keyboard.press('Enter');
    for (const id of ids.slice(0, 3)) await settled(g, id).toBe('approved');
    expect((await review(g, ids[3]!)).status).toBe('pending');
    const batch = [];
    for await (const r of g.deps.store.export()) if ('kind' in r && r.kind === 'review') batch.push(r.review.batch);
    expect(batch).toEqual([true, true, true]);
    expect(trouble).toEqual([]);
  });

  it('will not batch-approve a high-risk item, and sends nothing', async () => {
    const { g, page, ids, trouble } = await signedIn([ticket(), ticket({ high: true })]);
    await page.keyboard.press('x');
    await page.keyboard.press('Shift+J');
    await page.keyboard.press('a');
    expect(await page.locator('[data-role=toast]').innerText()).toBe('Cannot approve these in a batch: risk tier high is above medium. Approve them one by one.');
    expect(await page.locator('[data-role=confirm]').isHidden()).toBe(true);
    await page.waitForTimeout(600);
    for (const id of ids) expect((await review(g, id)).status).toBe('pending');
    expect(trouble).toEqual([]);
  });

  it('edits a field with E; the edited proposal is decided again and its reject rule applies', async () => {
    const body = ticket();
    const { g, page, ids, trouble } = await signedIn([body]);
    await page.keyboard.press('e');
    await page.locator('[data-role=edit-form]').waitFor();
    await page.fill('#edit-subject', body.proposal.description);
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => page.locator('[data-role=toast]').innerText()).toBe('Edited: the new proposal was decided reject (ticket.subject_repeats_description, ticket.urgent_without_premium).');
    const original = await review(g, ids[0]!);
    expect(original).toMatchObject({ status: 'edited', decidedBy: 'alice' });
    const next = (await (await g.get(`/v1/decisions/${original.next}`, g.keys.reader)).json()) as Json;
    expect(next).toMatchObject({ outcome: 'reject', editOf: ids[0], request: { proposal: { subject: body.proposal.description } } });
    expect(trouble).toEqual([]);
  });

  it('undoes a held verdict with U: nothing reaches the gate', async () => {
    const { g, page, ids, trouble } = await signedIn([ticket()], 1500);
    await page.keyboard.press('a');
    expect(await page.locator('[data-role=held]').innerText()).toMatch(/^approve create_support_ticket: sending in \d s, U to undo$/);
    await page.keyboard.press('u');
    expect(await page.locator('[data-role=toast]').innerText()).toBe('Undone: approve create_support_ticket');
    await page.waitForTimeout(2000);
    expect((await review(g, ids[0]!)).status).toBe('pending');
    expect(await g.deps.store.verify()).toEqual({ ok: true, count: 1 });
    expect(trouble).toEqual([]);
  });

  it('shows a justification holding markup as text, and runs nothing from it', async () => {
    const payload = '<img src=x onerror=alert(1)> please <script>alert(2)</script>';
    const { page, ids, trouble } = await signedIn([upgrade(payload)]);
    await page.keyboard.press('Enter');
    const detail = page.locator(`.detail[data-id="${ids[0]}"]`);
    await detail.waitFor();
    expect(await detail.locator('[data-pointer="/justification"] dd').innerText()).toBe(payload);
    expect(await detail.locator('img, script').count()).toBe(0);
    expect(await page.locator('#edit-justification').inputValue()).toBe(payload);
    await page.waitForTimeout(300);
    expect(trouble).toEqual([]);
  });
});
