/**
 * The durable baseline for the HTTP benchmark: the least a server must do to answer a request
 * only once its body is durably recorded in a hash chain. Hono parses the body; the text is
 * appended with group commit (every request that arrives while a commit is in flight shares the
 * next one) as one row carrying SHA-256(previous hash, text); the answer waits for the commit.
 *   sqlite:PATH  — better-sqlite3 on the main thread, WAL, synchronous=FULL, one transaction per batch
 *   postgres://… — one multi-row INSERT per batch (one round trip, its own transaction)
 * No idempotency, no decision, no contract: what the gate adds on top is what it is measured on.
 * usage: node dist/bench/http/durable.js PORT STORE_URL
 */
import { serve } from '@hono/node-server';
import Database from 'better-sqlite3';
import { Hono } from 'hono';
import pg from 'pg';
import { chainHash, GENESIS } from '../../adapters/stores/chain.js';

type Commit = (rows: { seq: number; text: string; hash: string }[]) => Promise<void>;

async function sqlite(path: string): Promise<Commit> {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE IF NOT EXISTS log (seq INTEGER PRIMARY KEY, record TEXT NOT NULL, hash TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO log (seq, record, hash) VALUES (?, ?, ?)');
  const batch = db.transaction((rows: { seq: number; text: string; hash: string }[]) => { for (const r of rows) insert.run(r.seq, r.text, r.hash); });
  return async (rows) => batch.immediate(rows);
}

async function postgres(url: string): Promise<Commit> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  await pool.query('CREATE TABLE IF NOT EXISTS log (seq BIGINT PRIMARY KEY, record TEXT NOT NULL, hash TEXT NOT NULL)');
  return async (rows) => {
    await pool.query('INSERT INTO log (seq, record, hash) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[])',
      [rows.map((r) => r.seq), rows.map((r) => r.text), rows.map((r) => r.hash)]);
  };
}

const [port, url] = [Number(process.argv[2] ?? 0), process.argv[3] ?? ''];
const commit = url.startsWith('postgres') ? await postgres(url) : await sqlite(url.replace(/^sqlite:/, ''));

let seq = 0, prev = GENESIS;
let queue: { text: string; done: (e?: unknown) => void }[] = [];
let running = false;
async function drain(): Promise<void> {
  while (queue.length) {
    const batch = queue;
    queue = [];
    const rows = batch.map((b) => {
      const hash = chainHash(prev, b.text);
      prev = hash;
      return { seq: ++seq, text: b.text, hash };
    });
    try { await commit(rows); for (const b of batch) b.done(); } catch (e) { for (const b of batch) b.done(e); }
  }
  running = false;
}
const append = (text: string) => new Promise<void>((ok, fail) => {
  queue.push({ text, done: (e) => (e ? fail(e) : ok()) });
  if (!running) { running = true; setImmediate(() => void drain()); }
});

const app = new Hono();
app.post('/v1/decisions', async (c) => {
  const body = await c.req.json<{ action?: string }>();
  await append(JSON.stringify(body));
  return c.json({ outcome: 'approve', action: body.action ?? null });
});
serve({ fetch: app.fetch, hostname: '127.0.0.1', port }, (info) => {
  process.stderr.write(`arbiter: listening on http://127.0.0.1:${info.port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
