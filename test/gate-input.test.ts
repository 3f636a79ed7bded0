/**
 * The gate judges exactly the bytes the caller sent, and every input it cannot judge is a 4xx with
 * a stable code: invalid UTF-8, numbers beyond a double, dates a format check lets through, strings
 * and nesting over the limits.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openSqlite } from '../adapters/stores/sqlite.js';
import { ROOT } from './helpers/cli.js';
import { testGate, type TestGate } from './helpers/gate.js';

const proposal = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-proposal.json'), 'utf8')) as Record<string, unknown>;
const context = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-context.json'), 'utf8')) as Record<string, unknown>;
const refund = (over: Record<string, unknown> = {}) => ({ action: 'refund_order', proposal: { ...proposal, ...over }, context });

type Json = Record<string, unknown> & { error?: { code: string; message: string; details?: unknown } };

/** Posts raw bytes, as a caller on the wire would. */
async function postBytes(g: TestGate, path: string, bytes: Uint8Array, key = g.keys.admin): Promise<{ status: number; body: Json }> {
  const r = await g.app.request(path, { method: 'POST', body: bytes, headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` } });
  return { status: r.status, body: (await r.json()) as Json };
}

/** The refund body with `bytes` spliced into its `note` string. */
function withNoteBytes(bytes: number[], over: Record<string, unknown> = {}): Uint8Array {
  const [head, tail] = JSON.stringify(refund({ ...over, note: '@@' })).split('@@') as [string, string];
  return Buffer.concat([Buffer.from(head), Buffer.from(bytes), Buffer.from(tail)]);
}

const recorded = async (g: TestGate) => ((await (await g.get('/v1/decisions', g.keys.reader)).json()) as { items: unknown[] }).items.length;

describe('invalid UTF-8', () => {
  it('refuses invalid UTF-8 (FF, overlong C0 A2, surrogate ED A0 80) with 400 malformed_json instead of deciding it', async () => {
    const g = testGate();
    for (const bytes of [[0xff], [0xc0, 0xa2], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80]]) {
      const r = await postBytes(g, '/v1/decisions', withNoteBytes(bytes));
      expect(r.status, `bytes ${bytes.map((b) => b.toString(16)).join(' ')}`).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'malformed_json', message: expect.stringContaining('not valid UTF-8') as unknown });
      const dry = await postBytes(g, '/v1/evaluate', withNoteBytes(bytes));
      expect(dry.status).toBe(400);
      expect(dry.body.error?.code).toBe('malformed_json');
    }
    expect(await recorded(g)).toBe(0);
  });

  it('three proposals with the same id and different invalid bytes do not replay one another: all refused, nothing recorded', async () => {
    const g = testGate();
    const answers = [];
    for (const bytes of [[0xff], [0xc0, 0xa2], [0xed, 0xa0, 0x80]]) answers.push(await postBytes(g, '/v1/decisions', withNoteBytes(bytes)));
    expect(answers.map((a) => [a.status, a.body.error?.code])).toEqual([[400, 'malformed_json'], [400, 'malformed_json'], [400, 'malformed_json']]);
    expect(await recorded(g)).toBe(0);
    const valid = await postBytes(g, '/v1/decisions', withNoteBytes([...Buffer.from('é')]));
    expect(valid.status).toBe(200);
    expect(valid.body).toMatchObject({ replayed: false, outcome: 'review' });
  });

  it('ignores exactly one leading byte-order mark; a second one is invalid', async () => {
    const g = testGate();
    const body = Buffer.from(JSON.stringify(refund()));
    const bom = [0xef, 0xbb, 0xbf];
    expect((await postBytes(g, '/v1/decisions', Buffer.concat([Buffer.from(bom), body]))).status).toBe(200);
    const twice = await postBytes(g, '/v1/decisions', Buffer.concat([Buffer.from([...bom, ...bom]), body]));
    expect(twice.status).toBe(400);
    expect(twice.body.error?.code).toBe('malformed_json');
  });

  it('never decides a body that is not valid UTF-8 (property)', async () => {
    const g = testGate();
    const invalid = new TextDecoder('utf-8', { fatal: true });
    await fc.assert(fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 6 }), async (bytes) => {
      let valid = true;
      try { invalid.decode(bytes); } catch { valid = false; }
      fc.pre(!valid);
      const r = await postBytes(g, '/v1/decisions', withNoteBytes([...bytes], { proposal_id: crypto.randomUUID() }));
      expect(r.status).toBe(400);
      expect(r.body.error?.code).toBe('malformed_json');
    }), { numRuns: 200 });
    expect(await recorded(g)).toBe(0);
  });
});

describe('numbers beyond a double', () => {
  it('answers 400 number_out_of_range, never 5xx, for 1e309 and -1e400 on every endpoint that reads JSON', async () => {
    const g = testGate();
    const spellings = ['1e309', '-1e400', `1${'0'.repeat(400)}`, '1E+999', '-0.5e99999'];
    for (const n of spellings) {
      for (const [path, text] of [
        ['/v1/decisions', JSON.stringify(refund()).replace('"amount":650', `"amount":${n}`)],
        ['/v1/decisions', JSON.stringify(refund()).replace('"total":720', `"total":${n}`)],
        ['/v1/decisions', JSON.stringify({ ...refund(), extra: [[n]] }).replace(`"${n}"`, n)],
        ['/v1/evaluate', JSON.stringify(refund()).replace('"amount":650', `"amount":${n}`)],
        ['/v1/evaluate', `{"action":"refund_order","proposal":${n}}`],
      ] as const) {
        const r = await postBytes(g, path, Buffer.from(text));
        expect(r.status, `${path} with ${n}`).toBe(400);
        expect(r.body.error).toMatchObject({ code: 'number_out_of_range', message: expect.stringContaining(`\`${n.slice(0, 20)}`) as unknown });
      }
    }
    expect(await recorded(g)).toBe(0);
  });

  it('any number JSON.parse would make infinite is refused, and any it keeps finite is decided (property)', async () => {
    const g = testGate();
    const spelling = fc.tuple(fc.constantFrom('', '-'), fc.integer({ min: 1, max: 9 }), fc.stringMatching(/^[0-9]{0,5}$/), fc.constantFrom('e', 'E', 'e+'), fc.integer({ min: 250, max: 99999 }))
      .map(([sign, lead, frac, e, exp]) => `${sign}${lead}${frac ? `.${frac}` : ''}${e}${exp}`);
    await fc.assert(fc.asyncProperty(spelling, async (n) => {
      const r = await postBytes(g, '/v1/evaluate', Buffer.from(JSON.stringify(refund()).replace('"total":720', `"total":${n}`)));
      if (Number.isFinite(Number(n))) {
        expect(r.status, n).toBe(200);
      } else {
        expect(r.status, n).toBe(400);
        expect(r.body.error?.code).toBe('number_out_of_range');
      }
    }), { numRuns: 300 });
  });

  it('still takes numbers a double holds, however spelled', async () => {
    const g = testGate();
    const r = await postBytes(g, '/v1/decisions', Buffer.from(JSON.stringify(refund()).replace('"amount":650', '"amount":6.5e2').replace('"total":720', '"total":1.7976931348623157e308')));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ outcome: 'review' });
  });
});

describe('dates a format check accepts', () => {
  it('a leap-second `since` (23:59:60) is read as the instant after it, not a 500', async () => {
    const store = openSqlite(join(mkdtempSync(join(tmpdir(), 'arbiter-leap-')), 'd.db'));
    const before = testGate({ store, now: '2026-12-31T23:59:59.999Z' });
    const after = testGate({ store, now: '2027-01-01T00:00:00.000Z' });
    await before.post('/v1/decisions', refund({ proposal_id: 'a1' }));
    await after.post('/v1/decisions', refund({ proposal_id: 'a2' }));
    for (const since of ['2026-12-31T23:59:60Z', '2026-12-31T18:59:60-05:00', '2026-12-31T23:59:60.000Z']) {
      const r = await after.get(`/v1/decisions?since=${encodeURIComponent(since)}`, after.keys.reader);
      expect(r.status, since).toBe(200);
      expect(((await r.json()) as { items: { idempotencyKey?: string; seq: number }[] }).items.map((x) => x.seq)).toEqual([2]);
    }
    const fraction = await after.get(`/v1/decisions?since=${encodeURIComponent('2026-12-31T23:59:59.9985Z')}`, after.keys.reader);
    expect(((await fraction.json()) as { items: { seq: number }[] }).items.map((x) => x.seq)).toEqual([2, 1]);
  });

  it('every `since` the format check accepts is answered 200 or 400, never 5xx (property)', async () => {
    const g = testGate();
    await g.post('/v1/decisions', refund());
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    const text = fc.tuple(fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')), two(12), two(31), fc.constantFrom('T', 't', ' '), two(23), two(59), two(60),
      fc.constantFrom('', '.5', '.123456789'), fc.constantFrom('Z', 'z', '+00:00', '-23:59', '+23:59', '+05:30'))
      .map(([y, mo, d, t, h, mi, s, f, z]) => `${y}-${mo}-${d}${t}${h}:${mi}:${s}${f}${z}`);
    await fc.assert(fc.asyncProperty(text, async (since) => {
      const r = await g.get(`/v1/decisions?since=${encodeURIComponent(since)}`, g.keys.reader);
      expect([200, 400], `${since} → ${r.status}`).toContain(r.status);
      if (r.status === 400) expect(((await r.json()) as Json).error?.code).toBe('invalid_request');
    }), { numRuns: 300 });
  });

  it('a leap-second `now` for evaluate is decided at the instant after it', async () => {
    const g = testGate();
    const r = await g.post('/v1/evaluate', { ...refund(), now: '2026-12-31T23:59:60Z' }, g.keys.evaluator);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ outcome: 'review', now: '2026-12-31T23:59:60Z' });
  });

  it('refuses a control character in a list filter or a decision id before it reaches the store', async () => {
    const g = testGate();
    const list = await g.get('/v1/decisions?action=refund%00order', g.keys.reader);
    expect(list.status).toBe(400);
    expect(((await list.json()) as Json).error?.code).toBe('invalid_request');
    const one = await g.get('/v1/decisions/abc%00def', g.keys.reader);
    expect(one.status).toBe(404);
    expect(((await one.json()) as Json).error?.code).toBe('not_found');
  });
});

describe('limits have their own codes', () => {
  it('a well-formed string over --max-string is 400 string_too_long, not malformed_json', async () => {
    const g = testGate({ limits: { maxStringLength: 100 } });
    const body = JSON.stringify(refund({ note: 'x'.repeat(101) }));
    const r = await g.post('/v1/decisions', body);
    expect(r.status).toBe(400);
    expect(((await r.json()) as Json).error).toEqual({ code: 'string_too_long', message: `a string at offset ${body.indexOf('"xxx')} is longer than the limit of 100 characters` });
  });

  it('JSON deeper than --max-depth is 400 nesting_too_deep, not malformed_json', async () => {
    const g = testGate({ limits: { maxDepth: 8 } });
    const r = await g.post('/v1/decisions', refund({ note: [[[[[[[[[1]]]]]]]]] }));
    expect(r.status).toBe(400);
    expect(((await r.json()) as Json).error).toEqual({ code: 'nesting_too_deep', message: 'the body is nested deeper than the limit of 8 levels' });
  });
});
