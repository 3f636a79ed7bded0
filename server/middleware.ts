/** Request context, authentication, rate limits and body reading. */
import type { Context, MiddlewareHandler } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import type { IncomingMessage } from 'node:http';
import { decodeUtf8, parseJsonBody, stripBom } from './body.js';
import type { AppEnv, GateDeps } from './context.js';
import { HttpError } from './errors.js';
import { allows } from './keys.js';
import { lingerAfterResponse } from './linger.js';
import { RateLimiter } from './rate-limit.js';
import { endRequestSpan, recordingTraceId, requestSpan, withSpan } from './tracing.js';
import { uuidv7 } from '../gate/ids.js';

/**
 * A request header (lower-case name). Under Node it is read from the IncomingMessage's parsed
 * headers: asking Hono builds a web Headers object from all of them on first use.
 */
export function header(c: Context<AppEnv>, name: string): string | undefined {
  const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
  if (!incoming) return c.req.header(name);
  const v = incoming.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * Request id (an `X-Request-Id` the caller sent, or a new one), the request's span (server/tracing.ts),
 * one log line and metrics per request. The line's trace id is the recording span's, else the one
 * in an incoming `traceparent`, so logs correlate with the caller's trace with or without an SDK.
 */
export function requestContext(deps: GateDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const start = performance.now();
    const given = header(c, 'x-request-id');
    const requestId = given && REQUEST_ID.test(given) ? given : uuidv7();
    const { span, ctx } = requestSpan(c);
    const traceId = recordingTraceId(span) ?? TRACEPARENT.exec(header(c, 'traceparent') ?? '')?.[1];
    c.set('requestId', requestId);
    c.set('traceId', traceId);
    c.set('logFields', {});
    // Routes name themselves (route() below); any other path gets one label, so callers cannot add label values.
    c.set('route', 'unmatched');
    // Set before the response exists: a header added afterwards makes Hono rebuild the response.
    c.header('X-Request-Id', requestId);
    try {
      await withSpan(ctx, next);
    } finally {
      const ms = performance.now() - start;
      const route = c.get('route');
      const status = c.res.status;
      endRequestSpan(span, c.req.method, route, status);
      deps.metrics.request(route, String(status)).inc();
      deps.metrics.requestLatency(route).observe(ms / 1000);
      const key = c.get('key');
      deps.logger.info({
        requestId, ...(traceId ? { traceId } : {}), method: c.req.method, route, status, ms: Math.round(ms * 1000) / 1000,
        ...(key ? { key: key.id } : {}), ...c.get('logFields'),
      }, 'request');
    }
  };
}

/** The route's name for metrics and logs (`/v1/decisions/:id`, not the id itself). */
export const route = (name: string): MiddlewareHandler<AppEnv> => async (c, next) => {
  c.set('route', name);
  await next();
};

/** One token bucket per API key for the whole gate, whichever routes the key calls. */
const limiters = new WeakMap<GateDeps, RateLimiter>();

/** Authenticates the API key and charges its rate; `scope`, when given, is checked here. */
export function authenticate(deps: GateDeps, scope?: string | ((c: Context<AppEnv>) => string)): MiddlewareHandler<AppEnv> {
  let limiter = limiters.get(deps);
  if (!limiter) limiters.set(deps, (limiter = new RateLimiter(deps.limits.rate)));
  return async (c, next) => {
    const auth = header(c, 'authorization');
    const token = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : header(c, 'x-api-key');
    if (!token) throw new HttpError('unauthorized', 'an API key is required: send `Authorization: Bearer <key>`', undefined, { 'WWW-Authenticate': 'Bearer' });
    const key = deps.keys.authenticate(token);
    if (!key) throw new HttpError('unauthorized', 'the API key is not valid', undefined, { 'WWW-Authenticate': 'Bearer' });
    c.set('key', key);
    const wait = limiter.take(key.id, key.rate);
    if (wait) throw new HttpError('rate_limited', `API key \`${key.id}\` is over its rate; retry in ${wait} s`, undefined, { 'Retry-After': String(wait) });
    if (typeof scope === 'string') requireScope(c, scope);
    await next();
  };
}

export function requireScope(c: Context<AppEnv>, scope: string): void {
  if (!allows(c.get('key'), scope)) throw new HttpError('forbidden', `API key \`${c.get('key').id}\` lacks scope \`${scope}\``);
}

export function anyScope(c: Context<AppEnv>, scopes: string[]): void {
  if (!scopes.some((s) => allows(c.get('key'), s))) throw new HttpError('forbidden', `API key \`${c.get('key').id}\` lacks every one of ${scopes.map((s) => `\`${s}\``).join(', ')}`);
}

/**
 * Reads a JSON body of at most `bodyBytes`, as its text and its value: a Content-Length over the
 * limit is refused at once, and a body sent without one (chunked) is refused once it passes the
 * limit; either way 413, sent with `Connection: close` before the connection is closed gracefully
 * (server/linger.ts). With a Content-Length within the limit, @hono/node-server's own reader is
 * used (it reads the socket without building web streams); without one, the body is read from
 * the IncomingMessage here.
 */
export async function readJson(c: Context<AppEnv>, deps: GateDeps): Promise<{ text: string; value: unknown }> {
  const type = header(c, 'content-type') ?? '';
  if (!/^application\/([a-z.+-]+\+)?json\b/i.test(type)) throw new HttpError('unsupported_media_type', `send the body as \`application/json\`, not \`${type || 'nothing'}\``);
  const limit = deps.limits.bodyBytes;
  const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
  const tooLarge = () => {
    if (incoming) lingerAfterResponse(incoming);
    return new HttpError('payload_too_large', `the body is larger than the limit of ${limit} bytes`, undefined, { Connection: 'close' });
  };
  const length = header(c, 'content-length');
  if (length !== undefined && Number(length) > limit) throw tooLarge();
  let bytes: Uint8Array;
  if (length === undefined && incoming) {
    bytes = await readUpTo(incoming, limit).catch((e: unknown) => { throw e === TOO_LARGE ? tooLarge() : e; });
  } else {
    bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.length > limit) throw tooLarge();
  }
  const raw = decodeUtf8(bytes);
  return { text: stripBom(raw), value: parseJsonBody(raw, deps.limits) };
}

const TOO_LARGE = Symbol('too large');

/**
 * The body, or TOO_LARGE as soon as it passes `limit`. Listeners, not `for await`: leaving an
 * async iterator destroys the request, and with it the socket the 413 must still be written to.
 */
function readUpTo(incoming: IncomingMessage, limit: number): Promise<Uint8Array> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => { incoming.off('data', onData); incoming.off('end', onEnd); incoming.off('error', onError); };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) { done(); fail(TOO_LARGE); } else chunks.push(chunk);
    };
    const onEnd = () => { done(); ok(Buffer.concat(chunks, size)); };
    const onError = (e: Error) => { done(); fail(e); };
    incoming.on('data', onData).on('end', onEnd).on('error', onError);
  });
}
