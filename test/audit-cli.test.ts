/** arbiter audit verify / export and arbiter keys create. */
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { KeyRing } from '../server/keys.js';
import { arbiter } from './helpers/cli.js';
import { testGate } from './helpers/gate.js';
import { openSqlite } from '../adapters/stores/sqlite.js';
import pg from 'pg';
import { freshPgDatabase, PG_SKIP } from './helpers/stores.js';

async function logWith(n: number): Promise<{ file: string; url: string }> {
  const file = join(mkdtempSync(join(tmpdir(), 'arbiter-audit-')), 'd.db');
  const g = testGate({ store: openSqlite(file) });
  for (let i = 0; i < n; i++) {
    const r = await g.post('/v1/decisions', { action: 'tier_upgrade', proposal: { i }, context: {} });
    expect(r.status).toBe(200);
  }
  await g.deps.store.close();
  return { file, url: `sqlite:${file}` };
}

describe('arbiter audit', () => {
  it('verifies an intact chain', async () => {
    const { url } = await logWith(4);
    const r = await arbiter('audit', 'verify', '--store', url);
    expect(r).toEqual({ code: 0, out: `ok: the chain of 4 records in ${url} is intact\n`, err: '' });
  });

  it('fails, naming the record, after a row is edited in the database', async () => {
    const { file, url } = await logWith(4);
    const db = new Database(file);
    const id = (db.prepare('SELECT id FROM decisions WHERE seq = 3').get() as { id: string }).id;
    db.prepare("UPDATE decisions SET record = replace(record, '\"outcome\":\"reject\"', '\"outcome\":\"approve\"') WHERE seq = 3").run();
    db.close();
    const r = await arbiter('audit', 'verify', '--store', url);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`the chain does not verify at seq 3 (decision ${id}): seq 3 was edited: its content does not match its hash\n2 records before it verified\n`);
  });

  it('exports the records as JSON Lines, from a time on', async () => {
    const { url } = await logWith(3);
    const all = await arbiter('audit', 'export', '--store', url);
    const lines = all.out.trim().split('\n').map((l) => JSON.parse(l) as { seq: number; recordedAt: string; request: { proposal: unknown } });
    expect(lines.map((l) => l.seq)).toEqual([1, 2, 3]);
    expect(lines[1]!.request.proposal).toEqual({ i: 1 });
    const since = await arbiter('audit', 'export', '--store', url, '--since', lines[2]!.recordedAt);
    expect(since.out.trim().split('\n').map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([3]);
    expect((await arbiter('audit', 'export', '--store', url, '--since', 'yesterday')).code).toBe(2);
  });
});

describe('arbiter audit on a store that is not there', () => {
  it('audit verify and export of a mistyped SQLite path fail and create nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arbiter-audit-'));
    const url = `sqlite:${join(dir, 'typo', 'path.db')}`;
    for (const verb of ['verify', 'export']) {
      const r = await arbiter('audit', verb, '--store', url);
      expect(r.code).toBe(1);
      expect(r.out).toBe('');
      expect(r.err).toMatch(new RegExp(`^arbiter audit: there is no SQLite store at \`${join(dir, 'typo', 'path.db').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\` \\(.+\\); nothing was created\n$`));
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('audit verify of a file that holds no decision log fails and leaves the file as it was', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'arbiter-audit-')), 'empty.db');
    writeFileSync(file, '');
    const r = await arbiter('audit', 'verify', '--store', `sqlite:${file}`);
    expect(r).toEqual({ code: 1, out: '', err: `arbiter audit: \`${file}\` is not an Arbiter store: it holds no decision log\n` });
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  it('an unknown --store scheme is a usage error for audit and serve, not a SQLite file named `mysql:`', async () => {
    for (const argv of [['audit', 'verify'], ['audit', 'export'], ['serve', '--port', '0']]) {
      const r = await arbiter(...argv, '--store', 'mysql://x');
      expect(r.code).toBe(2);
      expect(r.err).toContain('unknown store scheme `mysql:`: use `sqlite:PATH` or `postgres://user:pass@host:port/db`');
    }
    expect(existsSync('mysql:')).toBe(false);
  });

  it.skipIf(PG_SKIP !== '')(`audit verify of a PostgreSQL database without a decision log fails and creates no table${PG_SKIP ? ` (${PG_SKIP})` : ''}`, async () => {
    const url = await freshPgDatabase();
    const r = await arbiter('audit', 'verify', '--store', url);
    expect(r).toEqual({ code: 1, out: '', err: `arbiter audit: \`${url}\` is not an Arbiter store: it holds no decision log; nothing was created\n` });
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      expect((await c.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'")).rows[0]).toEqual({ n: 0 });
    } finally {
      await c.end();
    }
  });
});

describe('arbiter keys create', () => {
  it('prints the key once and stores only its hash', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'arbiter-keys-')), 'keys.yaml');
    const a = await arbiter('keys', 'create', '--id', 'payments', '--scope', 'decide:refund_order', '--scope', 'read', '--file', file);
    expect(a.code).toBe(0);
    const token = a.out.trim();
    expect(token).toMatch(/^arb_payments_[0-9a-f]{64}$/);
    expect(readFileSync(file, 'utf8')).not.toContain(token);
    const ring = KeyRing.fromFile(file);
    expect(ring.authenticate(token)).toMatchObject({ id: 'payments', scopes: ['decide:refund_order', 'read'] });
    const b = await arbiter('keys', 'create', '--id', 'ops', '--scope', 'admin', '--file', file);
    expect((load(readFileSync(file, 'utf8')) as { keys: { id: string }[] }).keys.map((k) => k.id)).toEqual(['payments', 'ops']);
    expect(KeyRing.fromFile(file).authenticate(b.out.trim())?.id).toBe('ops');
    expect((await arbiter('keys', 'create', '--id', 'ops', '--scope', 'admin', '--file', file)).err).toContain('already has a key `ops`');
    expect((await arbiter('keys', 'create', '--id', 'x', '--scope', 'decide')).err).toContain('scopes are admin, read, evaluate, deliveries, exceptions, decide:<action|*>, review:<queue|*>');
  });
});
