/**
 * Exceptions granted through the gate (gate/exceptions.ts), for operators with scope `exceptions`
 * (or `admin`): grant one, list those in force with the policy's YAML ones, revoke one. A grant
 * compiles with the served policy exactly as a YAML exception would, is recorded in the
 * hash-chained log, and only then is served; a refusal or a store failure changes nothing.
 * Grants and revokes run one at a time, so each compiles against the one before.
 */
import type { Hono } from 'hono';
import { parseInstant, Rational } from '../../engine/internal.js';
import { grantCommand, grantOf, grantPath, grantRequest, revokeCommand, type Grant } from '../../gate/exceptions.js';
import type { AppEnv, GateDeps } from '../context.js';
import { HttpError } from '../errors.js';
import { authenticate, readJson, route } from '../middleware.js';

export function exceptionRoutes(app: Hono<AppEnv>, deps: GateDeps): void {
  const guard = authenticate(deps, 'exceptions');
  const clock = () => (deps.clock ? deps.clock() : new Date());
  let turn: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(f: () => Promise<T>): Promise<T> => {
    const run = turn.then(f, f);
    turn = run.catch(() => {});
    return run;
  };

  app.post('/v1/exceptions', route('/v1/exceptions'), guard, async (c) => {
    const req = grantRequest((await readJson(c, deps)).value);
    if (typeof req === 'string') throw new HttpError('invalid_request', req);
    return inTurn(async () => {
      const now = clock();
      const expires = parseInstant(req.expires);
      if (expires && !after(expires, now)) throw new HttpError('exception_expired', `exception \`${req.id}\` expires at \`${req.expires}\`, which is not after now (${now.toISOString()})`);
      const { grants } = deps.policy.grants;
      const taken = grants.find((g) => g.exception.id === req.id);
      if (taken) throw new HttpError('exception_exists', `exception \`${req.id}\` is already granted (record \`${taken.record}\`); revoke it first`, { record: taken.record });
      const cmd = grantCommand(req, c.get('key').id, now);
      const grant = grantOf(cmd)!;
      const tried = deps.policy.tryGrants([...grants, grant]);
      if (!tried.ok) {
        throw new HttpError('invalid_exception', tried.diagnostics.map((d) => d.message).join('; '), {
          diagnostics: tried.diagnostics.map((d) => ({ code: d.code, message: d.message, ...(d.help ? { help: d.help } : {}), ...(d.loc && d.loc.file !== grantPath(grant) ? { loc: d.loc } : {}) })),
        });
      }
      const r = await deps.store.appendException(cmd);
      deps.policy.serve(tried.tried);
      c.set('logFields', { exception: req.id, record: r.id, op: 'grant' });
      // A reload that swapped the files while the record was written may have set it aside.
      const aside = deps.policy.grants.setAside.get(grantPath(grant));
      return c.json({ exception: aside ? { ...view(grant, now, 'set_aside'), errors: aside } : view(grant, now, 'active'), revision: deps.policy.current.revision }, 201);
    });
  });

  app.get('/v1/exceptions', route('/v1/exceptions'), guard, (c) => {
    const now = clock();
    const { grants, setAside } = deps.policy.grants;
    const granted = grants.map((g) => {
      const aside = setAside.get(grantPath(g));
      return aside ? { ...view(g, now, 'set_aside'), errors: aside } : view(g, now);
    });
    const grantFiles = new Set(grants.map(grantPath));
    const declared = [...deps.policy.current.actions.values()].flatMap((a) => a.exceptions
      .filter((x) => !grantFiles.has(x.file))
      .map((x) => ({
        id: x.id, action: a.name, relaxes: x.relaxes.map((i) => a.rules[i]!.id), expires: x.expiresText, owner: x.owner, granted_by: x.grantedBy, ticket: x.ticket, reason: x.reason,
        status: after(x.expires, now) ? 'active' : 'expired', source: { file: x.file },
      })));
    return c.json({ items: [...declared, ...granted] });
  });

  app.delete('/v1/exceptions/:id', route('/v1/exceptions/:id'), guard, (c) => inTurn(async () => {
    const id = c.req.param('id');
    const { grants } = deps.policy.grants;
    const grant = grants.find((g) => g.exception.id === id);
    if (!grant) throw new HttpError('not_found', `no exception \`${id}\` granted through the gate${declaredIn(deps, id) ? `; \`${id}\` is declared in \`${declaredIn(deps, id)}\`: remove it there` : ''}`);
    const rest = grants.filter((g) => g !== grant);
    const tried = deps.policy.tryGrants(rest);
    // Taking an exception away only compiles less: a failure here is a defect, not the caller's.
    if (!tried.ok) throw new Error(`the policy does not compile without exception \`${id}\`: ${tried.diagnostics.map((d) => d.message).join('; ')}`);
    const now = clock();
    const r = await deps.store.appendException(revokeCommand(grant, c.get('key').id, now));
    deps.policy.serve(tried.tried);
    c.set('logFields', { exception: id, record: r.id, op: 'revoke' });
    return c.json({ exception: { ...view(grant, now), status: 'revoked', revokedBy: c.get('key').id, revokedAt: now.toISOString(), revocation: r.id }, revision: deps.policy.current.revision });
  }));
}

function view(g: Grant, now: Date, status?: 'active' | 'set_aside') {
  const { op, ...x } = g.exception;
  void op;
  const expires = parseInstant(x.expires);
  return { ...x, action: g.action, status: status ?? (expires && after(expires, now) ? 'active' : 'expired'), source: { record: g.record, recordedAt: g.recordedAt } };
}

/** Whether an instant (seconds since the epoch) is after `now`, as the engine compares an expiry with a decision's `now`. */
const after = (instant: Rational, now: Date): boolean => instant.cmp(Rational.of(BigInt(now.getTime()), 1000n)) > 0;

function declaredIn(deps: GateDeps, id: string): string | undefined {
  const grantFiles = new Set(deps.policy.grants.grants.map(grantPath));
  for (const a of deps.policy.current.actions.values()) for (const x of a.exceptions) if (x.id === id && !grantFiles.has(x.file)) return x.file;
  return undefined;
}
