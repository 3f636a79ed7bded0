/** /metrics: bounded label sets whoever calls, the review queue depth read from the store, and the process metrics. */
import { describe, expect, it } from 'vitest';
import type { Store } from '../adapters/stores/store.js';
import { testGate } from './helpers/gate.js';
import { reviewTick } from '../server/routes/reviews.js';
import { ticket } from './helpers/reviews.js';

const scrape = async (g: ReturnType<typeof testGate>) => (await g.app.request('/metrics')).text();

describe('metrics', () => {
  it('unmatched paths share one route label, so unauthenticated callers cannot grow the label set', async () => {
    const g = testGate();
    for (let i = 0; i < 20; i++) expect((await g.app.request(`/no/such/path-${i}?q=${i}`)).status).toBe(404);
    await g.app.request('/v1/decisions/../../etc/passwd', { method: 'DELETE' });
    const logged = g.logs.filter((l) => l.msg === 'request').map((l) => l.route);
    expect(new Set(logged)).toEqual(new Set(['unmatched']));
    const text = await scrape(g);
    expect(text).toContain('arbiter_http_requests_total{route="unmatched",status="404"} 21');
    expect(text).not.toContain('path-');
    expect(text).not.toContain('passwd');
    const routes = new Set([...text.matchAll(/^arbiter_http_requests_total\{route="([^"]*)"/gm)].map((m) => m[1]));
    expect([...routes]).toEqual(['unmatched']);
  });

  it('shows arbiter_review_queue_depth as the store counted it at the last review tick', async () => {
    const g = testGate();
    await g.post('/v1/decisions', { action: 'tier_upgrade', proposal: { x: 1 }, context: {} });
    await reviewTick(g.deps);
    expect(await scrape(g)).not.toMatch(/^arbiter_review_queue_depth\{/m);
    await g.post('/v1/decisions', ticket());
    await g.post('/v1/decisions', ticket());
    await reviewTick(g.deps);
    expect(await scrape(g)).toMatch(/^arbiter_review_queue_depth\{queue="support"\} 2$/m);
  });

  it('shows the age of each queue\'s oldest pending item at the last review tick, from the store', async () => {
    let now = Date.parse('2026-11-21T10:00:00.000Z');
    const g = testGate({ clock: () => new Date(now) });
    const first = await (await g.post('/v1/decisions', ticket())).json() as { id: string; outcome: string };
    expect(first.outcome).toBe('review');
    now += 60_000;
    await g.post('/v1/decisions', ticket());
    now += 240_000;
    await reviewTick(g.deps);
    const text = await scrape(g);
    expect(text).toMatch(/^arbiter_review_queue_oldest_age_seconds\{queue="support"\} 300$/m);
    expect(text).toMatch(/^arbiter_review_queue_depth\{queue="support"\} 2$/m);
    // Between ticks the figure stays what the store said; the next tick sees the oldest item gone.
    now += 100_000;
    expect(await scrape(g)).toMatch(/^arbiter_review_queue_oldest_age_seconds\{queue="support"\} 300$/m);
    const { review } = await (await g.get(`/v1/reviews/${first.id}`, g.keys.alice)).json() as { review: { proposalHash: string } };
    expect((await g.post(`/v1/reviews/${first.id}/approve`, { proposalHash: review.proposalHash }, g.keys.alice)).status).toBe(200);
    await reviewTick(g.deps);
    expect(await scrape(g)).toMatch(/^arbiter_review_queue_oldest_age_seconds\{queue="support"\} 340$/m);
  });

  it('asks the store nothing on a scrape: every figure is a counter the gate keeps', async () => {
    const calls: string[] = [];
    const inner = testGate().deps.store;
    const store = new Proxy(inner, { get: (t, name: keyof Store) => (typeof t[name] === 'function' ? (...a: unknown[]) => { calls.push(name); return (t[name] as (...x: unknown[]) => unknown)(...a); } : t[name]) });
    const g = testGate({ store });
    await g.post('/v1/decisions', { action: 'tier_upgrade', proposal: { x: 1 }, context: {} });
    expect(calls).toEqual(['append']);
    calls.length = 0;
    await scrape(g);
    expect(calls).toEqual([]);
  });

  it('exposes the default process metrics on the gate\'s registry', async () => {
    const g = testGate();
    const text = await scrape(g);
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_version_info']) {
      expect(text, name).toMatch(new RegExp(`^${name}(\\{[^}]*\\})? `, 'm'));
    }
  });
});
