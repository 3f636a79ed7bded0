/**
 * Exceptions granted through the gate (POST /v1/exceptions, gate/exceptions.ts): compiled as a
 * YAML exception would be, recorded in the hash-chained log before they apply, served at once and
 * after a restart, listed with their source, revoked by a record of the log; a refusal or a store
 * failure records and applies nothing. On every store.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { openSqlite } from '../adapters/stores/sqlite.js';
import { StoreUnavailableError, type Store } from '../adapters/stores/store.js';
import { loadGrants } from '../gate/exceptions.js';
import type { ExceptionRecord, LogRecord } from '../gate/ports.js';
import { arbiter, ROOT } from './helpers/cli.js';
import { testGate, type TestGate } from './helpers/gate.js';
import { miniFiles } from './helpers/policy.js';
import { killAll, serveProcess } from './helpers/process.js';
import type { Served } from '../bench/http/spawn.js';
import { describeStores } from './helpers/stores.js';

const CONTRACT = {
  type: 'object', additionalProperties: false, required: ['customer', 'amount'],
  properties: { customer: { type: 'string' }, amount: { type: 'number' } },
};
const RULES = {
  rules: [
    { id: 'refund.over_limit', outcome: 'reject', when: { fact: 'proposal.amount', operator: 'greaterThan', value: 500 }, reason: 'over the limit' },
    { id: 'refund.large', outcome: 'review', when: { fact: 'proposal.amount', operator: 'greaterThan', value: 100 }, reason: 'large refund' },
  ],
};
const FILES = miniFiles({ contract: CONTRACT, rules: RULES });
const NOW = '2026-06-01T12:00:00Z';
const grant = (over: Record<string, unknown> = {}) => ({
  action: 't', id: 'c19.large_refunds', relaxes: ['refund.over_limit', 'refund.large'], when: { fact: 'proposal.customer', operator: 'equal', value: 'c-19' },
  expires: '2026-12-31T23:59:59Z', owner: 'payments', ticket: 'FIN-221', reason: 'contract allows larger refunds this year', ...over,
});

interface Decided { outcome: string; reasons: { rule: string }[]; exceptions?: { id: string; relaxed: string[]; grantedBy: string }[]; trace?: { exceptions?: { exception: string; result: string }[]; rules: { rule: string; relaxedBy?: string }[] } }

const decide = async (g: TestGate, customer: string, amount = 800, now?: string): Promise<Decided> => {
  const r = await g.post(now ? '/v1/evaluate' : '/v1/decisions', { action: 't', proposal: { customer, amount }, ...(now ? { now } : {}) }, now ? g.keys.evaluator : g.keys.service);
  expect(r.status).toBe(200);
  return await r.json() as Decided;
};

const del = (g: TestGate, path: string, key = g.keys.admin) => Promise.resolve(g.app.request(path, { method: 'DELETE', headers: { authorization: `Bearer ${key}` } }));

async function exceptionRecords(store: Store): Promise<ExceptionRecord[]> {
  const out: ExceptionRecord[] = [];
  for await (const r of store.export() as AsyncIterable<LogRecord>) if ('kind' in r && r.kind === 'exception') out.push(r);
  return out;
}

describeStores('granted exceptions', ({ open }) => {
  it('a grant relaxes the rules it names where its condition holds, shows in the decision and trace, and is a record of the chain', async () => {
    const { store } = await open();
    const g = testGate({ store, files: FILES, now: NOW });
    expect((await decide(g, 'c-19')).outcome).toBe('reject');

    const r = await g.post('/v1/exceptions', grant());
    expect(r.status).toBe(201);
    const body = await r.json() as { exception: { id: string; granted_by: string; status: string; source: { record: string } }; revision: string };
    expect(body.exception).toMatchObject({ id: 'c19.large_refunds', granted_by: 'admin', status: 'active' });
    expect(body.revision).toBe(g.deps.policy.current.revision);

    const relaxed = await decide(g, 'c-19');
    expect(relaxed.outcome).toBe('approve');
    expect(relaxed.reasons).toEqual([]);
    expect(relaxed.exceptions).toEqual([expect.objectContaining({ id: 'c19.large_refunds', relaxed: ['refund.over_limit', 'refund.large'], grantedBy: 'admin' })]);
    expect(relaxed.trace?.exceptions).toEqual([expect.objectContaining({ exception: 'c19.large_refunds', result: 'applied' })]);
    expect(relaxed.trace?.rules.filter((t) => t.relaxedBy).map((t) => [t.rule, t.relaxedBy])).toEqual([['refund.over_limit', 'c19.large_refunds'], ['refund.large', 'c19.large_refunds']]);
    // Another customer is not relaxed.
    const other = await decide(g, 'c-20');
    expect(other.outcome).toBe('reject');
    expect(other.reasons.map((x) => x.rule)).toEqual(['refund.over_limit', 'refund.large']);

    const records = await exceptionRecords(store);
    expect(records).toEqual([expect.objectContaining({ id: body.exception.source.record, kind: 'exception', action: 't', caller: 'admin', exception: expect.objectContaining({ op: 'grant', id: 'c19.large_refunds', granted_by: 'admin' }) })]);
    expect(await store.verify()).toEqual({ ok: true, count: 4 });
  });

  it('refuses an exception naming no rule of the action with 422, the stable code and a suggestion, and records nothing', async () => {
    const { store } = await open();
    const g = testGate({ store, files: FILES, now: NOW });
    const r = await g.post('/v1/exceptions', grant({ relaxes: ['refund.over_limt'] }));
    expect(r.status).toBe(422);
    const e = await r.json() as { error: { code: string; details: { diagnostics: { code: string; message: string; help?: string }[] } } };
    expect(e.error.code).toBe('invalid_exception');
    expect(e.error.details.diagnostics).toEqual([{ code: 'unknown_rule', message: 'exception `c19.large_refunds` relaxes rule `refund.over_limt`, which action `t` does not define', help: 'did you mean `refund.over_limit`?' }]);

    const cond = await g.post('/v1/exceptions', grant({ when: { fact: 'proposal.custmer', operator: 'equal', value: 'c-19' } }));
    expect(cond.status).toBe(422);
    expect(((await cond.json()) as { error: { details: { diagnostics: { code: string }[] } } }).error.details.diagnostics.map((d) => d.code)).toEqual(['unknown_fact']);

    const past = await g.post('/v1/exceptions', grant({ expires: '2026-05-31T00:00:00Z' }));
    expect(past.status).toBe(422);
    expect(((await past.json()) as { error: { code: string } }).error.code).toBe('exception_expired');

    const action = await g.post('/v1/exceptions', grant({ action: 'tt' }));
    expect(action.status).toBe(422);
    expect(((await action.json()) as { error: { details: { diagnostics: { code: string; help: string }[] } } }).error.details.diagnostics).toEqual([expect.objectContaining({ code: 'unknown_action', help: 'did you mean `t`?' })]);

    const forged = await g.post('/v1/exceptions', { ...grant(), granted_by: 'j.doe' });
    expect(forged.status).toBe(400);

    expect(await exceptionRecords(store)).toEqual([]);
    expect(g.deps.policy.grants.grants).toEqual([]);
    expect((await decide(g, 'c-19')).outcome).toBe('reject');
  });

  it('an expired grant no longer applies, and is listed as expired', async () => {
    const { store } = await open();
    let now = new Date(NOW);
    const g = testGate({ store, files: FILES, clock: () => now });
    expect((await g.post('/v1/exceptions', grant({ expires: '2026-06-02T00:00:00Z' }))).status).toBe(201);
    expect((await decide(g, 'c-19', 800, '2026-06-01T23:59:59Z')).outcome).toBe('approve');
    const late = await decide(g, 'c-19', 800, '2026-06-02T00:00:00Z');
    expect(late.outcome).toBe('reject');
    expect(late.trace?.exceptions).toEqual([expect.objectContaining({ exception: 'c19.large_refunds', result: 'expired' })]);
    now = new Date('2026-06-03T00:00:00Z');
    const list = await (await g.get('/v1/exceptions')).json() as { items: { id: string; status: string }[] };
    expect(list.items.map((x) => [x.id, x.status])).toEqual([['c19.large_refunds', 'expired']]);
  });

  it('a revoke stops the grant, is a record of the chain, and the chain verifies', async () => {
    const { store } = await open();
    const g = testGate({ store, files: FILES, now: NOW });
    expect((await g.post('/v1/exceptions', grant())).status).toBe(201);
    expect((await decide(g, 'c-19')).outcome).toBe('approve');
    expect((await del(g, '/v1/exceptions/c19.large_refunds', g.keys.service)).status).toBe(403);
    const r = await del(g, '/v1/exceptions/c19.large_refunds');
    expect(r.status).toBe(200);
    expect(((await r.json()) as { exception: { status: string; revokedBy: string } }).exception).toMatchObject({ status: 'revoked', revokedBy: 'admin' });
    const after = await decide(g, 'c-19');
    expect(after.outcome).toBe('reject');
    expect(after.exceptions).toBeUndefined();
    expect((await del(g, '/v1/exceptions/c19.large_refunds')).status).toBe(404);
    const records = await exceptionRecords(store);
    expect(records.map((x) => x.exception.op)).toEqual(['grant', 'revoke']);
    expect(records[1]!.exception).toEqual({ op: 'revoke', id: 'c19.large_refunds', grant: records[0]!.id });
    expect(await store.verify()).toEqual({ ok: true, count: 4 });
    expect((await g.get('/v1/exceptions')).status).toBe(200);
    expect(((await (await g.get('/v1/exceptions')).json()) as { items: unknown[] }).items).toEqual([]);
  });

  it('a grant survives a restart: the gate loads the grants in force from the log', async () => {
    const o = await open();
    const g = testGate({ store: o.store, files: FILES, now: NOW });
    expect((await g.post('/v1/exceptions', grant())).status).toBe(201);
    expect((await g.post('/v1/exceptions', grant({ id: 'c20.gone', when: { fact: 'proposal.customer', operator: 'equal', value: 'c-20' } }))).status).toBe(201);
    expect((await del(g, '/v1/exceptions/c20.gone')).status).toBe(200);
    const store = await o.reopen();
    const again = testGate({ store, files: FILES, now: NOW });
    again.deps.policy.serveGrants(await loadGrants(store));
    expect(again.deps.policy.current.revision).toBe(g.deps.policy.current.revision);
    expect((await decide(again, 'c-19')).outcome).toBe('approve');
    expect((await decide(again, 'c-20')).outcome).toBe('reject');
  });

  it('a grant reaches the policy a reload swaps in, and one the reloaded rules no longer admit is set aside', async () => {
    const { store } = await open();
    const files = new Map(FILES);
    const g = testGate({ store, files, now: NOW, reloadTests: false });
    expect((await g.post('/v1/exceptions', grant())).status).toBe(201);
    files.set('rules/t.yaml', dump({ rules: [...RULES.rules, { id: 'refund.weekend', outcome: 'review', when: { fact: 'proposal.amount', operator: 'greaterThan', value: 700 }, reason: 'weekend' }] }));
    expect((await g.deps.policy.reload()).ok).toBe(true);
    const d = await decide(g, 'c-19');
    expect(d.outcome).toBe('review');
    expect(d.reasons.map((x) => x.rule)).toEqual(['refund.weekend']);
    files.set('rules/t.yaml', dump({ rules: [RULES.rules[0]] }));
    expect((await g.deps.policy.reload()).ok).toBe(true);
    const list = await (await g.get('/v1/exceptions')).json() as { items: { id: string; status: string; errors?: string[] }[] };
    expect(list.items).toEqual([expect.objectContaining({ id: 'c19.large_refunds', status: 'set_aside', errors: [expect.stringContaining('relaxes rule `refund.large`, which action `t` does not define')] })]);
    expect((await decide(g, 'c-19')).outcome).toBe('reject');
  });

  it('a store that cannot write answers 503 with Retry-After and applies nothing', async () => {
    const { store } = await open();
    const g = testGate({ store, files: FILES, now: NOW });
    const real = store.appendException;
    store.appendException = () => Promise.reject(new StoreUnavailableError('the disk is full'));
    const r = await g.post('/v1/exceptions', grant());
    store.appendException = real;
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('1');
    expect(g.deps.policy.grants.grants).toEqual([]);
    expect((await decide(g, 'c-19')).outcome).toBe('reject');
    expect(await exceptionRecords(store)).toEqual([]);
  });
});

describe('granted exceptions over HTTP', () => {
  it('a key without scope `exceptions` or `admin` gets 403, and a second grant of one id 409', async () => {
    const g = testGate({ files: FILES, now: NOW });
    for (const key of [g.keys.service, g.keys.reader]) {
      const r = await g.post('/v1/exceptions', grant(), key);
      expect(r.status).toBe(403);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('forbidden');
      expect((await g.get('/v1/exceptions', key)).status).toBe(403);
    }
    expect((await g.post('/v1/exceptions', grant())).status).toBe(201);
    const twice = await g.post('/v1/exceptions', grant());
    expect(twice.status).toBe(409);
    expect(((await twice.json()) as { error: { code: string } }).error.code).toBe('exception_exists');
  });

  it('lists YAML exceptions with their file and granted ones with their record', async () => {
    const files = miniFiles({ contract: CONTRACT, rules: RULES, action: { exceptions: ['exceptions/t.yaml'] }, files: {
      'exceptions/t.yaml': dump({ exceptions: [{ ...grant({ id: 'yaml.one' }), action: undefined, granted_by: 'j.doe' }].map(({ action, ...x }) => { void action; return x; }) }),
    } });
    const g = testGate({ files, now: NOW });
    const posted = await (await g.post('/v1/exceptions', grant({ id: 'granted.one', relaxes: ['refund.large'] }))).json() as { exception: { source: { record: string } } };
    const list = await (await g.get('/v1/exceptions')).json() as { items: { id: string; status: string; granted_by: string; source: object }[] };
    expect(list.items.map((x) => [x.id, x.status, x.granted_by, x.source])).toEqual([
      ['yaml.one', 'active', 'j.doe', { file: 'exceptions/t.yaml' }],
      ['granted.one', 'active', 'admin', { record: posted.exception.source.record, recordedAt: NOW.replace('Z', '.000Z') }],
    ]);
    expect((await del(g, '/v1/exceptions/yaml.one')).status).toBe(404);
  });

  it('grants the example of docs/rules.md on the bundled pack, and it relaxes that order only', async () => {
    const doc = readFileSync(join(ROOT, 'docs/rules.md'), 'utf8');
    const section = doc.slice(doc.indexOf('### Exceptions granted through the gate'));
    const sent = JSON.parse(/-d '([\s\S]*?)'\n```/.exec(section)![1]!) as Record<string, unknown>;
    const g = testGate({ now: NOW });
    expect((await g.post('/v1/exceptions', sent)).status).toBe(201);
    const fixture = (name: string) => JSON.parse(readFileSync(join(ROOT, `test/fixtures/${name}.json`), 'utf8')) as Record<string, unknown>;
    const refund = (order: string) => ({ action: 'refund_order', proposal: { ...fixture('refund-proposal'), order_id: order }, context: fixture('refund-context') });
    const ok = await (await g.post('/v1/evaluate', { ...refund('o-8812'), now: NOW }, g.keys.evaluator)).json() as Decided;
    expect(ok.outcome).toBe('approve');
    expect(ok.exceptions?.map((x) => [x.id, x.relaxed, x.grantedBy])).toEqual([['refund.o8812_above_limit', ['refund.large_needs_person'], 'admin']]);
    const other = await (await g.post('/v1/evaluate', { ...refund('o-8813'), now: NOW }, g.keys.evaluator)).json() as Decided;
    expect(other.outcome).toBe('review');
    expect(other.reasons.map((x) => x.rule)).toContain('refund.large_needs_person');
  });

  it('a gate process restarted on its store serves the grant it recorded', async () => {
    const store = `sqlite:${join(mkdtempSync(join(tmpdir(), 'arbiter-grants-')), 'd.db')}`;
    const call = (gate: Served, method: string, path: string, body?: unknown) => fetch(`${gate.url}${path}`, {
      method, headers: { authorization: `Bearer ${gate.key}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const fixture = (name: string) => JSON.parse(readFileSync(join(ROOT, `test/fixtures/${name}.json`), 'utf8')) as Record<string, unknown>;
    const evaluate = { action: 'refund_order', proposal: fixture('refund-proposal'), context: fixture('refund-context'), now: NOW };
    const sent = grant({ action: 'refund_order', id: 'o8812', relaxes: ['refund.large_needs_person'], when: { fact: 'proposal.order_id', operator: 'equal', value: 'o-8812' }, expires: '2099-01-01T00:00:00Z' });
    try {
      const first = await serveProcess(['--store', store]);
      expect((await (await call(first, 'POST', '/v1/evaluate', evaluate)).json() as Decided).outcome).toBe('review');
      expect((await call(first, 'POST', '/v1/exceptions', sent)).status).toBe(201);
      first.child.kill('SIGTERM');
      await first.exited;
      const second = await serveProcess(['--store', store]);
      const d = await (await call(second, 'POST', '/v1/evaluate', evaluate)).json() as Decided;
      expect(d.outcome).toBe('approve');
      expect(d.exceptions?.map((x) => [x.id, x.grantedBy])).toEqual([['o8812', 'dev']]);
      const list = await (await call(second, 'GET', '/v1/exceptions')).json() as { items: { id: string; status: string }[] };
      expect(list.items.map((x) => [x.id, x.status])).toEqual([['o8812', 'active']]);
    } finally {
      await killAll();
    }
  });

  it('`arbiter audit verify` and `export` cover grants and revokes', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'arbiter-grants-')), 'd.db');
    const g = testGate({ store: openSqlite(file), files: FILES, now: NOW });
    expect((await g.post('/v1/exceptions', grant())).status).toBe(201);
    await decide(g, 'c-19');
    expect((await del(g, '/v1/exceptions/c19.large_refunds')).status).toBe(200);
    await g.deps.store.close();
    const url = `sqlite:${file}`;
    expect(await arbiter('audit', 'verify', '--store', url)).toEqual({ code: 0, out: `ok: the chain of 3 records in ${url} is intact\n`, err: '' });
    const lines = (await arbiter('audit', 'export', '--store', url)).out.trim().split('\n').map((l) => JSON.parse(l) as { kind?: string; exception?: { op: string } });
    expect(lines.map((l) => l.kind ? `${l.kind}:${l.exception!.op}` : 'decision')).toEqual(['exception:grant', 'decision', 'exception:revoke']);
  });
});
