/**
 * What OpenTelemetry costs a request, in-process: the calls server/tracing.ts adds to
 * POST /v1/decisions (the request span with its propagation and context, the decide span, the
 * append span) around a decision and an append that are already made, against the same work
 * without them; first with no SDK registered (what every gate pays), then with the SDK's
 * always-on sampler and an exporter that drops what it is given (what tracing itself costs).
 * Median of 5 rounds, µs per request.
 * usage: node dist/bench/http/tracing.js
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Context } from 'hono';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPolicyFiles } from '../../adapters/loaders/fs.js';
import { compilePolicy, decide, type Decision } from '../../engine/index.js';
import type { AppEnv } from '../../server/context.js';
import { endRequestSpan, recordingTraceId, requestSpan, tracedAppend, tracedDecide, withSpan } from '../../server/tracing.js';

const root = join(import.meta.dirname, '..', '..', '..');
const compiled = compilePolicy(loadPolicyFiles(root));
if (!compiled.ok) throw new Error('the bundled pack does not compile');
const proposal = JSON.parse(readFileSync(join(root, 'test/fixtures/refund-proposal.json'), 'utf8')) as Record<string, unknown>;
const ctx = JSON.parse(readFileSync(join(root, 'test/fixtures/refund-context.json'), 'utf8')) as Record<string, unknown>;
const decision: Decision = decide(compiled.policy, { action: 'refund_order', proposal, context: ctx, now: '2026-12-02T10:00:00Z' });
// What requestSpan reads of a Hono context under Node: the IncomingMessage's parsed headers.
const c = { env: { incoming: { headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } } }, req: { method: 'POST' } } as unknown as Context<AppEnv>;
const appended = Promise.resolve({ kind: 'created' as const });
const sink: unknown[] = [];

// The route's work with the hooks gate/record.ts calls, and without.
async function route(hooked: boolean): Promise<void> {
  sink[0] = hooked ? tracedDecide('refund_order', () => decision) : decision;
  sink[1] = await (hooked ? tracedAppend(() => appended) : appended);
}

async function bare(): Promise<void> {
  await route(false);
}

// What requestContext adds around the route (server/middleware.ts).
async function traced(): Promise<void> {
  const { span, ctx: spanCtx } = requestSpan(c);
  sink[2] = recordingTraceId(span);
  await withSpan(spanCtx, () => route(true));
  endRequestSpan(span, 'POST', '/v1/decisions', 200);
}

async function time(f: () => Promise<void>): Promise<number> {
  const rounds: number[] = [];
  for (let r = 0; r < 6; r++) {
    const n = 50_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await f();
    if (r > 0) rounds.push((performance.now() - t0) * 1000 / n);  // the first round warms up
  }
  return rounds.sort((a, b) => a - b)[2]!;
}

const rows: [string, number][] = [];
rows.push(['(baseline: the decision and the append, untraced)', await time(bare)]);
rows.push(['no SDK registered: request, decide and append spans', await time(traced)]);
const dropped: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: () => Promise.resolve() };
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(dropped)] }));
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
rows.push(['SDK registered, every span sampled, exported to nowhere', await time(traced)]);
const base = rows[0]![1];
process.stdout.write(['| variant | µs per request | added µs |', '|---|---:|---:|', ...rows.map(([name, us]) => `| ${name} | ${us.toFixed(2)} | ${(us - base).toFixed(2)} |`), ''].join('\n'));
