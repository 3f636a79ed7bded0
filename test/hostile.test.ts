/**
 * Hostile inputs through the real HTTP server: `arbiter serve` from dist/ as a child process,
 * fed the cases in test/hostile/*.jsonl over bare sockets. Each case names what it is (`class`),
 * what it sends, and what it must get: a 4xx with a stable error code, or a recorded decision with
 * its outcome, reasons and contract errors. After every case the gate must be alive and not have
 * hung, a refusal must have recorded nothing, and after every pollution and action-name case a
 * canary decision must come out as before.
 *
 * `HOSTILE_RECORD=1` writes what the gate answered into the cases' `expect` (to review, never to
 * accept blindly); the suite asserts against what is stored.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';
import { killAll, serveProcess, type Served } from './helpers/process.js';
import { rawExchange, type RawResponse } from './helpers/raw-http.js';

type Segments = (string | [string, number])[];
interface Request {
  method: string; path: string; headers?: Record<string, string | null>;
  json?: unknown; text?: string; base64?: string; gen?: Segments;
  /** `length` (default), `chunked`, `short` (a Content-Length of 100 before a longer body), `promise` (a 10 MB Content-Length, then the sender stops) */
  framing?: 'length' | 'chunked' | 'short' | 'promise';
}
interface Expect { status?: number; code?: string | null; outcome?: string; reasons?: string[]; errors?: string[]; responses?: { status: number; code: string | null }[] }
export interface HostileCase {
  class: string; name: string; request?: Request; raw?: string | Segments; body?: string;
  /** a pending review is made first; `{review}` and `{hash}` in the request name it */
  review?: 'approve' | 'reject';
  /** the decision must equal that of the named case (a prompt injection must not change the outcome) */
  sameAs?: string;
  /** records the case appends (a raw case that carries a decision); without it, 1 for a 200 to a POST that records */
  records?: number;
  expect?: Expect;
}

const DIR = join(ROOT, 'test/hostile');
const RECORD = process.env.HOSTILE_RECORD === '1';
const files = readdirSync(DIR).filter((f) => f.endsWith('.jsonl')).sort();
const suites = files.map((f) => ({ file: f, cases: readFileSync(join(DIR, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as HostileCase) }));
const CANARY_CLASSES = new Set(['pollution', 'action_names']);

const bytesOf = (segments: Segments) => Buffer.from(segments.map((s) => (typeof s === 'string' ? s : s[0].repeat(s[1]))).join(''), 'utf8');

function bodyOf(r: Request): Buffer | undefined {
  if (r.json !== undefined) return Buffer.from(JSON.stringify(r.json));
  if (r.text !== undefined) return Buffer.from(r.text);
  if (r.base64 !== undefined) return Buffer.from(r.base64, 'base64');
  if (r.gen) return bytesOf(r.gen);
  return undefined;
}

let gate: Served;
let port = 0;
const outcomes = new Map<string, { outcome: string; reasons: string[] }>();

function fill(text: string, vars: Record<string, string>): string {
  return text.replace(/\{(auth|review|hash|len|body)\}/g, (m, k: string) => vars[k] ?? m);
}

/** The request as bytes on the wire, split into the parts written one after another. */
function wire(r: Request, vars: Record<string, string>): Buffer[] {
  const body = bodyOf(r);
  const filled = body && r.text !== undefined ? Buffer.from(fill(r.text, vars)) : body;
  const headers: Record<string, string | null> = {
    host: 'hostile.test', authorization: `Bearer ${r.path.startsWith('/v1/reviews') ? gate.reviewKey : gate.key}`, connection: 'close',
    ...(filled ? { 'content-type': 'application/json' } : {}), ...r.headers,
  };
  const framing = r.framing ?? 'length';
  if (filled) {
    if (framing === 'chunked') headers['transfer-encoding'] = 'chunked';
    else headers['content-length'] = String(framing === 'short' ? 100 : framing === 'promise' ? 10 * 1024 * 1024 : filled.length);
  }
  const head = Buffer.from(`${r.method} ${fill(r.path, vars)} HTTP/1.1\r\n${Object.entries(headers).filter(([, v]) => v !== null).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`);
  if (!filled) return [head];
  if (framing !== 'chunked') return [head, filled];
  const parts = [head];
  for (let at = 0; at < filled.length; at += 64 * 1024) {
    const piece = filled.subarray(at, at + 64 * 1024);
    parts.push(Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return parts;
}

async function api(method: string, path: string, body?: unknown, key = gate.key): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(`${gate.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

let db: Database.Database;
/** What the store holds, read beside the gate: the chain's head, the idempotency claims, the review queue. */
const state = () => db.prepare(`SELECT (SELECT seq FROM chain_head) AS seq, (SELECT hash FROM chain_head) AS hash,
  (SELECT count(*) FROM idempotency) AS claims, (SELECT count(*) FROM reviews) AS reviews, (SELECT count(*) FROM reviews WHERE status = 'pending') AS pending`).get() as { seq: number; hash: string; claims: number; reviews: number; pending: number };

let uniq = 0;
const canaryId = () => `ffffffff-0000-4000-8000-${String(++uniq).padStart(12, '0')}`;
const CANARY = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-proposal.json'), 'utf8')) as Record<string, unknown>;
const CANARY_CONTEXT = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-context.json'), 'utf8')) as Record<string, unknown>;
const canary = () => api('POST', '/v1/decisions', { action: 'refund_order', proposal: { ...CANARY, proposal_id: canaryId() }, context: CANARY_CONTEXT });
let canaryBaseline: { outcome: unknown; reasons: unknown; risk: unknown };

/** What a decision answer says, in the terms the cases expect. */
function summary(json: Record<string, unknown>) {
  return {
    outcome: json.outcome as string,
    reasons: (json.reasons as { rule?: string; kind: string }[]).map((x) => x.rule ?? x.kind),
    errors: [...new Set(((json.errors as { code: string }[] | undefined) ?? []).map((e) => e.code))].sort(),
  };
}

function describeResponse(r: RawResponse): Expect {
  const e: Expect = { status: r.status };
  let json: Record<string, unknown> | undefined;
  try { json = JSON.parse(r.body) as Record<string, unknown>; } catch { json = undefined; }
  const error = json?.error as { code?: string } | undefined;
  e.code = error?.code ?? null;
  if (r.status < 300 && json && typeof json.outcome === 'string') Object.assign(e, summary(json));
  return e;
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-hostile-'));
  gate = await serveProcess(['--store', `sqlite:${join(dir, 'd.db')}`, '--rate', '100000/100000']);
  db = new Database(join(dir, 'd.db'), { readonly: true, fileMustExist: true });
  port = Number(new URL(gate.url).port);
  const c = await canary();
  expect(c.status).toBe(200);
  canaryBaseline = { outcome: c.json.outcome, reasons: c.json.reasons, risk: c.json.risk };
}, 60_000);

afterAll(async () => {
  if (RECORD) for (const s of suites) writeFileSync(join(DIR, s.file), s.cases.map((c) => JSON.stringify(c)).join('\n') + '\n');
  db.close();
  await killAll();
});

describe.each(suites)('hostile inputs: $file', ({ cases }) => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const vars: Record<string, string> = { auth: gate.key };
    if (c.review) {
      const d = await api('POST', '/v1/decisions', { action: 'refund_order', proposal: { ...CANARY, proposal_id: canaryId() }, context: CANARY_CONTEXT });
      expect(d.json.outcome).toBe('review');
      vars.review = d.json.id as string;
      vars.hash = ((await api('GET', `/v1/reviews/${vars.review}`, undefined, gate.reviewKey)).json.review as { proposalHash: string }).proposalHash;
      expect(vars.hash).toMatch(/^[0-9a-f]{64}$/);
    }
    if (c.body !== undefined) { vars.body = c.body; vars.len = String(Buffer.byteLength(c.body)); }
    const before = state();
    const parts = c.raw !== undefined ? [typeof c.raw === 'string' ? Buffer.from(fill(c.raw, vars), 'latin1') : bytesOf(c.raw)] : wire(c.request!, vars);
    const x = await rawExchange(port, parts, { halfClose: c.request?.framing === 'promise' });
    expect(x.timedOut, 'the gate did not answer or close within 20 s').toBe(false);
    expect(gate.child.exitCode, `the gate exited:\n${gate.stderr()}`).toBeNull();
    for (const r of x.responses) expect(r.status, `a 5xx: ${r.body}`).toBeLessThan(500);

    const got: Expect = c.raw !== undefined ? { responses: x.responses.map((r) => ({ status: r.status, code: describeResponse(r).code ?? null })) } : describeResponse(x.responses[0] ?? { status: 0, headers: {}, body: '' });
    if (RECORD) c.expect = got;
    expect(got).toEqual(c.expect);
    if (c.raw === undefined) expect(x.responses.length, 'one answer per request').toBe(1);

    const after = state();
    const decided = c.request?.method === 'POST' && got.status === 200 && !c.request.path.startsWith('/v1/evaluate');
    const appended = c.records ?? (decided ? 1 : 0);
    if (appended) expect(after.seq, 'records appended').toBe(before.seq + appended);
    else expect(after, 'a refusal changes no state').toEqual(before);
    if (c.review) {
      const status = ((await api('GET', `/v1/reviews/${vars.review}`, undefined, gate.reviewKey)).json.review as { status: string }).status;
      expect(status).toBe(got.status === 200 ? (c.review === 'approve' ? 'approved' : 'rejected') : 'pending');
    }
    if (got.outcome !== undefined) {
      outcomes.set(c.name, { outcome: got.outcome, reasons: got.reasons! });
      if (c.sameAs) expect({ outcome: got.outcome, reasons: got.reasons }).toEqual(outcomes.get(c.sameAs));
      // A bad input never comes out better than a reject or a review.
      if (got.errors!.length) expect(got.outcome).toBe('reject');
    }
    if (CANARY_CLASSES.has(c.class)) {
      const again = await canary();
      expect(again.status).toBe(200);
      expect({ outcome: again.json.outcome, reasons: again.json.reasons, risk: again.json.risk }).toEqual(canaryBaseline);
    }
  });
});

describe('hostile clients and content beside the cases', () => {
  it('slow clients hold sockets, not the gate: decisions keep coming while 20 trickle their headers and bodies', async () => {
    const before = state();
    const { connect } = await import('node:net');
    const slow = Array.from({ length: 20 }, (_, i) => {
      const s = connect(port, '127.0.0.1');
      s.on('error', () => undefined);
      s.write(i % 2 ? `POST /v1/decisions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${gate.key}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"action":` : 'POST /v1/decisions HTTP/1.1\r\nHost: x\r\n');
      return s;
    });
    const drip = setInterval(() => { for (const s of slow) s.write(' '); }, 100);
    try {
      for (let i = 0; i < 10; i++) {
        const c = await canary();
        expect(c.status).toBe(200);
        expect({ outcome: c.json.outcome, reasons: c.json.reasons, risk: c.json.risk }).toEqual(canaryBaseline);
      }
    } finally {
      clearInterval(drip);
      for (const s of slow) s.destroy();
    }
    expect(gate.child.exitCode).toBeNull();
    // Only the ten canaries were recorded; the unfinished requests wrote nothing.
    expect(state().seq).toBe(before.seq + 10);
  });

  it('a 1 MB contract-violating proposal is a recorded reject whose record is bounded by the body limit, and the log list answers by item, not by proposal size', async () => {
    const junk = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`junk${i}`, 'j'.repeat(62_000)]));
    const body = JSON.stringify({ action: 'refund_order', proposal: { ...CANARY, proposal_id: canaryId(), ...junk }, context: CANARY_CONTEXT });
    expect(body.length).toBeGreaterThan(990_000);
    expect(body.length).toBeLessThan(1024 * 1024);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const d = await api('POST', '/v1/decisions', JSON.parse(body.replace(/"proposal_id":"[^"]+"/, `"proposal_id":"${canaryId()}"`)) as unknown);
      expect(d.status).toBe(200);
      expect(summary(d.json)).toEqual({ outcome: 'reject', reasons: ['contract'], errors: ['contract.additional_properties'] });
      // The answer names each unknown member once, not its value.
      expect(JSON.stringify(d.json).length).toBeLessThan(20_000);
      ids.push(d.json.id as string);
    }
    const sizes = db.prepare(`SELECT length(record) AS n FROM decisions WHERE id IN (${ids.map(() => '?').join(',')})`).all(...ids) as { n: number }[];
    expect(sizes).toHaveLength(20);
    for (const { n } of sizes) expect(n).toBeLessThan(1024 * 1024 + 16 * 1024);
    const list = await fetch(`${gate.url}/v1/decisions?limit=500`, { headers: { authorization: `Bearer ${gate.key}` } });
    const text = await list.text();
    const items = (JSON.parse(text) as { items: unknown[] }).items;
    expect(items.length).toBeGreaterThanOrEqual(20);
    expect(text.length / items.length).toBeLessThan(2_000);
    expect(gate.child.exitCode).toBeNull();
  });

  it('the review API and page carry hostile proposal content as data: JSON as sent, HTML escaped', async () => {
    const note = '<script>alert(1)</script>"><img src=x onerror=alert(2)>{{constructor.constructor("alert(3)")()}}';
    const d = await api('POST', '/v1/decisions', { action: 'refund_order', proposal: { ...CANARY, proposal_id: canaryId(), note }, context: CANARY_CONTEXT });
    expect(d.json.outcome).toBe('review');
    const id = d.json.id as string;
    const item = await api('GET', `/v1/reviews/${id}`, undefined, gate.reviewKey);
    expect(item.status).toBe(200);
    expect(JSON.stringify(item.json)).toContain(JSON.stringify(note).slice(1, -1));
    const html = await (await fetch(`${gate.url}/review/fragments/item/${id}`, { headers: { authorization: `Bearer ${gate.reviewKey}` } })).text();
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const list = await (await fetch(`${gate.url}/review/fragments/list`, { headers: { authorization: `Bearer ${gate.reviewKey}` } })).text();
    expect(list).not.toContain('<script>alert(1)');
    // A fragment for an id that is markup is a JSON 404 (the page shows its message as text, never as HTML).
    const bad = await fetch(`${gate.url}/review/fragments/item/${encodeURIComponent('<svg onload=alert(1)>')}`, { headers: { authorization: `Bearer ${gate.reviewKey}` } });
    expect(bad.status).toBe(404);
    expect(bad.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});
