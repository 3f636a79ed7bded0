/**
 * createApp(deps): the gate as a Hono app. No globals and no port: tests drive it with
 * app.request(); server/main.ts is the one place that listens.
 */
import { Hono } from 'hono';
import { StoreUnavailableError } from '../adapters/stores/store.js';
import type { AppEnv, GateDeps } from './context.js';
import { DecisionWatch } from '../gate/watch.js';
import { HttpError } from './errors.js';
import { requestContext, route } from './middleware.js';
import { openApi } from './openapi.js';
import { decisionRoutes } from './routes/decisions.js';
import { deliveryRoutes } from './routes/deliveries.js';
import { exceptionRoutes } from './routes/exceptions.js';
import { policyRoutes } from './routes/policy.js';
import { reviewPageRoutes } from './routes/review-page.js';
import { reviewRoutes } from './routes/reviews.js';

export function createApp(deps: GateDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  deps.metrics.setRevision(deps.policy.current.revision);
  deps.watch ??= new DecisionWatch();
  app.use('*', requestContext(deps));

  app.onError((err, c) => {
    const e = err instanceof HttpError ? err
      : err instanceof StoreUnavailableError ? new HttpError('store_unavailable', 'the decision store is unavailable, so the decision is not acknowledged; retry with the same idempotency key (if it was recorded after all, the retry replays it)', undefined, { 'Retry-After': '1' })
        : new HttpError('internal_error', 'the gate failed; nothing was decided');
    if (e.code === 'store_unavailable' || e.code === 'internal_error') deps.logger.error({ requestId: c.get('requestId'), err }, e.message);
    c.set('logFields', { ...c.get('logFields'), error: e.code });
    return c.json(e.body(), e.status as 400, e.headers);
  });
  app.notFound((c) => c.json(new HttpError('not_found', `no route ${c.req.method} ${c.req.path}`).body(), 404));

  app.get('/healthz', route('/healthz'), (c) => c.json({ status: 'ok' }));
  app.get('/readyz', route('/readyz'), async (c) => {
    if (deps.draining?.()) throw new HttpError('store_unavailable', 'the gate is shutting down', undefined, { 'Retry-After': '1' });
    await deps.store.ping();
    return c.json({ status: 'ready', revision: deps.policy.current.revision });
  });
  app.get('/metrics', route('/metrics'), async (c) => c.body(await deps.metrics.registry.metrics(), 200, { 'content-type': deps.metrics.registry.contentType }));
  // Made again only when a reload changed the policy, whose contracts it embeds.
  let doc: { revision: string; body: object } | undefined;
  app.get('/openapi.json', route('/openapi.json'), (c) => {
    const policy = deps.policy.current;
    if (doc?.revision !== policy.revision) doc = { revision: policy.revision, body: openApi(policy) };
    return c.json(doc.body);
  });

  decisionRoutes(app, deps);
  reviewRoutes(app, deps);
  deliveryRoutes(app, deps);
  exceptionRoutes(app, deps);
  reviewPageRoutes(app, deps);
  policyRoutes(app, deps);
  return app;
}
