/** Request context, authentication, rate limits and body reading. */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { parseJsonBody } from './body.js';
import type { AppEnv, GateDeps } from './context.js';
import { HttpError } from './errors.js';
import { allows } from './keys.js';
import { RateLimiter } from './rate-limit.js';
import { uuidv7 } from './ids.js';

const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** Request id (an `X-Request-Id` the caller sent, or a new one), trace id, one log line and metrics per request. */
export function requestContext(deps: GateDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const start = performance.now();
    const given = c.req.header('x-request-id');
    const requestId = given && REQUEST_ID.test(given) ? given : uuidv7();
    const trace = TRACEPARENT.exec(c.req.header('traceparent') ?? '');
    c.set('requestId', requestId);
    c.set('traceId', trace?.[1]);
    c.set('logFields', {});
    c.set('route', c.req.path);
    try {
      await next();
    } finally {
      c.header('X-Request-Id', requestId);
      const ms = performance.now() - start;
      const route = c.get('route');
      const status = c.res.status;
      deps.metrics.requests.inc({ route, status: String(status) });
      deps.metrics.requestSeconds.observe({ route }, ms / 1000);
      const key = c.get('key');
      deps.logger.info({
        requestId, ...(trace ? { traceId: trace[1] } : {}), method: c.req.method, route, status, ms: Math.round(ms * 1000) / 1000,
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

/** Authenticates the API key and charges its rate; `scope`, when given, is checked here. */
export function authenticate(deps: GateDeps, scope?: string | ((c: Context<AppEnv>) => string)): MiddlewareHandler<AppEnv> {
  const limiter = new RateLimiter(deps.limits.rate);
  return async (c, next) => {
    const header = c.req.header('authorization');
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : c.req.header('x-api-key');
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

/** Rejects bodies over the limit with 413 before they are read in full. */
export function limitBody(deps: GateDeps): MiddlewareHandler<AppEnv> {
  return bodyLimit({
    maxSize: deps.limits.bodyBytes,
    onError: () => { throw new HttpError('payload_too_large', `the body is larger than the limit of ${deps.limits.bodyBytes} bytes`); },
  });
}

export async function readJson(c: Context<AppEnv>, deps: GateDeps): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/([a-z.+-]+\+)?json\b/i.test(type)) throw new HttpError('unsupported_media_type', `send the body as \`application/json\`, not \`${type || 'nothing'}\``);
  return parseJsonBody(await c.req.text(), deps.limits);
}
