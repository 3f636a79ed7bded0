/**
 * The review page at /review: the shell, its one script and stylesheet, and the fragments the
 * script fetches with the reviewer's key. Every response carries a Content-Security-Policy that
 * allows this origin's script and style and nothing inline, so markup that slipped into a
 * proposal could not run even if it were not escaped (it is, in server/ui/).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Context, Hono } from 'hono';
import type { AppEnv, GateDeps } from '../context.js';
import { authenticate, route } from '../middleware.js';
import { validate } from '../wire.js';
import { itemDetail, queueList, strip } from '../ui/fragments.js';
import { page } from '../ui/page.js';
import { envelope } from './decisions.js';
import { detail, listPage, reviewerOf, stats } from './reviews.js';

export const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** server/ui/assets/, from the sources (vitest) or from dist/server/routes (the build does not copy them). */
function asset(name: string): string {
  const places = [new URL(`../ui/assets/${name}`, import.meta.url), new URL(`../../../server/ui/assets/${name}`, import.meta.url)];
  const found = places.find((u) => existsSync(u));
  if (!found) throw new Error(`the review page's \`${name}\` is missing from server/ui/assets`);
  return readFileSync(found, 'utf8');
}

export function reviewPageRoutes(app: Hono<AppEnv>, deps: GateDeps): void {
  const script = asset('review.js'), style = asset('review.css');
  const secured = (c: Context<AppEnv>, body: string | Promise<string>, type = 'text/html; charset=utf-8') => Promise.resolve(body).then((b) => c.body(b, 200, {
    'content-type': type, 'content-security-policy': CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cache-control': 'no-store',
  }));
  app.get('/review', route('/review'), (c) => secured(c, page(deps.reviewGraceMs ?? 5000).toString()));
  app.get('/review/assets/review.js', route('/review/assets'), (c) => secured(c, script, 'text/javascript; charset=utf-8'));
  app.get('/review/assets/review.css', route('/review/assets'), (c) => secured(c, style, 'text/css; charset=utf-8'));

  app.get('/review/fragments/list', route('/review/fragments/list'), authenticate(deps), async (c) => {
    const q = envelope(c.req.query(), validate.reviewQuery) as Record<string, string | undefined>;
    return secured(c, queueList((await listPage(deps, reviewerOf(c), q)).items, q.status === 'closed' ? 'closed' : 'pending').toString());
  });
  app.get('/review/fragments/item/:id', route('/review/fragments/item/:id'), authenticate(deps), async (c) => secured(c, itemDetail(await detail(deps, reviewerOf(c), c.req.param('id'))).toString()));
  app.get('/review/fragments/strip', route('/review/fragments/strip'), authenticate(deps), async (c) => {
    return secured(c, strip(await stats(deps, reviewerOf(c))).toString());
  });
}
