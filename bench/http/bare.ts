/**
 * The baseline for the HTTP benchmark: Hono on @hono/node-server, parsing the same JSON body as
 * the gate and answering a constant. usage: node dist/bench/http/bare.js PORT
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.post('/v1/decisions', async (c) => {
  const body = await c.req.json<{ action?: string }>();
  return c.json({ outcome: 'approve', action: body.action ?? null });
});
serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(process.argv[2] ?? 0) }, (info) => {
  process.stderr.write(`arbiter: listening on http://127.0.0.1:${info.port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
