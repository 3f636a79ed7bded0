/** The policy being served, its contracts, and reload. */
import type { Context, Hono } from 'hono';
import { DecideError, type CompiledAction } from '../../engine/index.js';
import { servedContract } from '../../engine/internal.js';
import type { ShadowPolicy } from '../../gate/shadow.js';
import type { AppEnv, GateDeps } from '../context.js';
import type { PolicyHolder } from '../policy.js';
import { HttpError } from '../errors.js';
import { anyScope, authenticate, route } from '../middleware.js';

export function policyRoutes(app: Hono<AppEnv>, deps: GateDeps): void {
  const contract = (c: Context<AppEnv>, name: string, version?: string) => {
    const action = deps.policy.current.actions.get(name);
    if (!action) throw new HttpError('unknown_action', `the policy defines no action \`${name}\``);
    anyScope(c, ['read', 'evaluate', `decide:${name}`]);
    if (version === undefined) return c.json(action.contract.schema);
    try {
      return c.json(servedContract(action, { proposal: undefined, version }).use.schema);
    } catch (e) {
      throw e instanceof DecideError ? unknownVersion(action, e) : e;
    }
  };
  app.get('/v1/contracts/:action', route('/v1/contracts/:action'), authenticate(deps), (c) => contract(c, c.req.param('action')));
  app.get('/v1/contracts/:action/:version', route('/v1/contracts/:action/:version'), authenticate(deps), (c) => contract(c, c.req.param('action'), c.req.param('version')));

  app.get('/v1/policy', route('/v1/policy'), authenticate(deps, 'read'), (c) => {
    const p = deps.policy.current;
    return c.json({
      revision: p.revision, engine: p.engineVersion, loadedAt: deps.policy.loadedAt,
      actions: [...p.actions.values()].map((a) => ({
        name: a.name, description: a.description ?? null, contract: a.contract.ref, versions: [...a.versions.keys()], context: a.context?.ref ?? null, sideEffects: a.sideEffects,
        default: a.default, onUnknown: a.onUnknown, onError: a.onError, idempotency: a.idempotency, owners: a.owners,
        review: a.review ? { ...a.review, entity: a.review.entity?.pointer ?? null, preview: a.review.preview.map((p) => ({ proposal: p.proposal, context: p.context })) } : null,
        rules: a.rules.filter((r) => r.mode === 'enforce').length, shadowRules: a.rules.filter((r) => r.mode === 'shadow').length, signals: a.risk.signals.length,
      })),
      lastReload: deps.policy.lastReload,
    });
  });

  app.post('/v1/policy/reload', route('/v1/policy/reload'), authenticate(deps, 'admin'), async (c) => {
    const status = await reload(deps);
    return c.json(deps.shadow ? { ...status, shadow: deps.shadow.holder.lastReload } : status);
  });

  // Counts since the process started and the last few examples of each kind, from memory (gate/shadow.ts).
  app.get('/v1/policy/shadow', route('/v1/policy/shadow'), authenticate(deps, 'read'), (c) => {
    if (!deps.shadow) throw new HttpError('not_found', 'no shadow policy is running; start the gate with `--shadow-dir`');
    return c.json(deps.shadow.summary());
  });
}

/** A request for a contract version the action does not serve: 404, with the versions it does. */
export function unknownVersion(action: CompiledAction, e: DecideError): HttpError {
  return new HttpError('unknown_contract_version', e.message, { versions: [...action.versions.keys()], current: action.contract.ref });
}

/** The `result` label of `arbiter_policy_reloads_total`, by where a refused reload stopped. */
const RESULT = { compile: 'compile_failed', tests: 'tests_failed', error: 'failed' } as const;

/** Reloads the live policy and, beside it, the shadow policy; a shadow reload shows only in its own status and the log. */
export async function reload(deps: GateDeps) {
  const [status] = await Promise.all([deps.policy.reload(), deps.shadow ? reloadShadow(deps, deps.shadow) : undefined]);
  deps.metrics.reload(status.ok ? 'ok' : RESULT[status.stage ?? 'error']).inc();
  if (status.ok) {
    deps.metrics.setRevision(status.revision!);
    deps.logger.info({ revision: status.revision, cases: status.cases }, 'policy reloaded');
  } else {
    deps.logger.error({ stage: status.stage, candidate: status.candidate, errors: status.errors }, 'policy reload failed; still serving the previous revision');
  }
  return status;
}

async function reloadShadow(deps: GateDeps, shadow: ShadowPolicy<PolicyHolder>): Promise<void> {
  const status = await shadow.holder.reload();
  if (status.ok) deps.logger.info({ shadowRevision: status.revision, cases: status.cases }, 'shadow policy reloaded');
  else deps.logger.error({ stage: status.stage, candidate: status.candidate, errors: status.errors }, 'shadow policy reload failed; still shadowing the previous revision');
}
