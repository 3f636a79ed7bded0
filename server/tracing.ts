/**
 * OpenTelemetry spans for the gate: one per HTTP request (its parent taken from an incoming W3C
 * `traceparent`), and under it one for each decision and one for each store append.
 *
 * Only `@opentelemetry/api` is imported. With no SDK registered its tracer hands out non-recording
 * spans and its propagator and context manager do nothing, so what remains is a few calls; every
 * attribute object is built only after `isRecording()` says a span will keep it (STYLE.md 7).
 * gate/ knows nothing of this: it offers `traced` hooks around decide and append (gate/record.ts),
 * and recordPorts (server/routes/decisions.ts) fills them from here.
 */
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context as OtelContext, type Span, type TextMapGetter } from '@opentelemetry/api';
import type { Context } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { ENGINE_VERSION, type Decision } from '../engine/index.js';
import type { AppEnv } from './context.js';

/** A ProxyTracer: it finds the SDK's tracer once one is registered, whenever that happens. */
const tracer = trace.getTracer('arbiter-gate', ENGINE_VERSION);
// Made once: a span's options are read, not kept, so every request can pass the same object.
const SERVER = { kind: SpanKind.SERVER };
const CLIENT = { kind: SpanKind.CLIENT };

/** Reads propagation headers from Node's parsed headers, or from Hono's when the app runs without Node (tests). */
const headerGetter: TextMapGetter<Context<AppEnv>> = {
  get(c, key) {
    const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
    return incoming ? incoming.headers[key.toLowerCase()] : c.req.header(key);
  },
  keys(c) {
    const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
    return incoming ? Object.keys(incoming.headers) : [...c.req.raw.headers.keys()];
  },
};

/** The request's span, a child of the caller's `traceparent` when the registered propagator reads one, and the context to run the request in. */
export function requestSpan(c: Context<AppEnv>): { span: Span; ctx: OtelContext } {
  const parent = propagation.extract(ROOT_CONTEXT, c, headerGetter);
  const span = tracer.startSpan('HTTP request', SERVER, parent);
  return { span, ctx: trace.setSpan(parent, span) };
}

/** Names the request's span after its route, as the semantic conventions ask, and ends it. */
export function endRequestSpan(span: Span, method: string, route: string, status: number): void {
  if (span.isRecording()) {
    span.updateName(`${method} ${route}`);
    span.setAttributes({ 'http.request.method': method, 'http.route': route, 'http.response.status_code': status });
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/** The trace id to log: the recording span's (which is the caller's when a traceparent came in), else none. */
export function recordingTraceId(span: Span): string | undefined {
  return span.isRecording() ? span.spanContext().traceId : undefined;
}

/** Runs one decision in an `arbiter.decide` span under the active one, with what it decided. */
export function tracedDecide(action: string, run: () => Decision): Decision {
  const span = tracer.startSpan('arbiter.decide');
  if (!span.isRecording()) {
    span.end();
    return run();
  }
  try {
    const d = run();
    span.setAttributes({ 'arbiter.action': action, 'arbiter.outcome': d.outcome, 'arbiter.revision': d.revision, 'arbiter.contract_version': d.contract });
    return d;
  } catch (e) {
    span.setAttribute('arbiter.action', action);
    failed(span, e);
    throw e;
  } finally {
    span.end();
  }
}

/** Runs one store append in an `arbiter.store.append` span under the active one; not async itself, so an untraced append costs no extra promise. */
export function tracedAppend<T>(run: () => Promise<T>): Promise<T> {
  const span = tracer.startSpan('arbiter.store.append', CLIENT);
  if (!span.isRecording()) {
    span.end();
    return run();
  }
  return recordAppend(span, run);
}

async function recordAppend<T>(span: Span, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    failed(span, e);
    throw e;
  } finally {
    span.end();
  }
}

/** Runs `fn` with the request's span active, so the spans started inside are its children. */
export const withSpan = <T>(ctx: OtelContext, fn: () => T): T => context.with(ctx, fn);

function failed(span: Span, e: unknown): void {
  if (e instanceof Error) span.recordException(e);
  span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.message : String(e) });
}
