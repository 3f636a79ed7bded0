/**
 * OpenTelemetry through app.request(), with the SDK's in-memory exporter registered globally (as
 * an `--import`ed setup file would): the request span is the caller's child, decide and append are
 * the request's, and the log line carries the trace id.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';
import { testGate } from './helpers/gate.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
trace.setGlobalTracerProvider(provider);
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
afterAll(async () => { await provider.shutdown(); trace.disable(); context.disable(); propagation.disable(); });
beforeEach(() => exporter.reset());

const proposal = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-proposal.json'), 'utf8')) as Record<string, unknown>;
const ctx = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-context.json'), 'utf8')) as Record<string, unknown>;
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

describe('tracing with an SDK registered', () => {
  it('makes request, decide and append spans under the caller’s traceparent, and logs the trace id', async () => {
    const g = testGate();
    const r = await g.post('/v1/decisions', { action: 'refund_order', proposal, context: ctx }, g.keys.service, { traceparent: `00-${TRACE}-${PARENT}-01` });
    expect(r.status).toBe(200);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name).sort()).toEqual(['POST /v1/decisions', 'arbiter.decide', 'arbiter.store.append']);
    const byName = new Map(spans.map((s) => [s.name, s]));
    const request = byName.get('POST /v1/decisions')!;
    expect(spans.every((s) => s.spanContext().traceId === TRACE)).toBe(true);
    expect(request.parentSpanContext?.spanId).toBe(PARENT);
    expect([request.kind, byName.get('arbiter.decide')!.kind, byName.get('arbiter.store.append')!.kind]).toEqual([SpanKind.SERVER, SpanKind.INTERNAL, SpanKind.CLIENT]);
    expect(request.attributes).toEqual({ 'http.request.method': 'POST', 'http.route': '/v1/decisions', 'http.response.status_code': 200 });
    for (const child of ['arbiter.decide', 'arbiter.store.append']) expect(byName.get(child)!.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(byName.get('arbiter.decide')!.attributes).toEqual({
      'arbiter.action': 'refund_order', 'arbiter.outcome': 'review', 'arbiter.revision': g.deps.policy.current.revision, 'arbiter.contract_version': 'refund_order@2',
    });
    const line = g.logs.find((l) => l.msg === 'request')!;
    expect(line).toMatchObject({ traceId: TRACE, route: '/v1/decisions', status: 200, outcome: 'review' });
  });

  it('starts a trace of its own without a traceparent, and logs that trace id', async () => {
    const g = testGate();
    const r = await g.post('/v1/evaluate', { action: 'refund_order', proposal, context: ctx });
    expect(r.status).toBe(200);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name).sort()).toEqual(['POST /v1/evaluate', 'arbiter.decide']);
    const request = spans.find((s) => s.name === 'POST /v1/evaluate')!;
    expect(request.parentSpanContext).toBeUndefined();
    expect(request.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(request.spanContext().traceId).not.toBe(TRACE);
    expect(g.logs.find((l) => l.msg === 'request')).toMatchObject({ traceId: request.spanContext().traceId, route: '/v1/evaluate' });
  });

  it('marks an append the store refused as failed, and the request that answered 503', async () => {
    const g = testGate();
    const append = g.deps.store.append.bind(g.deps.store);
    const { StoreUnavailableError } = await import('../adapters/stores/store.js');
    g.deps.store.append = () => Promise.reject(new StoreUnavailableError('the disk is gone'));
    const r = await g.post('/v1/decisions', { action: 'refund_order', proposal, context: ctx });
    g.deps.store.append = append;
    expect(r.status).toBe(503);
    const byName = new Map(exporter.getFinishedSpans().map((s) => [s.name, s]));
    expect(byName.get('arbiter.store.append')!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'the disk is gone' });
    expect(byName.get('POST /v1/decisions')!.status.code).toBe(SpanStatusCode.ERROR);
    expect(byName.get('POST /v1/decisions')!.attributes['http.response.status_code']).toBe(503);
  });
});
