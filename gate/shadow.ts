/**
 * A shadow policy: a whole candidate policy (`--shadow-dir`) decided beside the live one for every
 * recorded decision, to see what it would change on real traffic before it is served.
 *
 * It can change nothing of the live decision: it is decided after the live decision is made, from
 * the same request, and what it says goes only into the record (`policyShadow`, and only when its
 * outcome differs from the live one: records stay lean), its own metric and the summary at
 * GET /v1/policy/shadow (server/routes/policy.ts). Anything it throws (an action or contract version it does not serve, a
 * defect) is caught here and recorded as the shadow's error; the live answer, review routing and
 * the other metrics never see it. It is reloaded with the live policy, by the same check, and a
 * candidate that fails keeps the previous shadow revision, as a live reload does.
 */
import { decide, type CompiledPolicy, type Decision, type DecideRequest, type Outcome, type Reason } from '../engine/index.js';

/** Where the shadow policy comes from: server/policy.ts's PolicyHolder, reloaded with the live one. */
export interface ShadowSource { readonly current: CompiledPolicy; readonly lastReload: unknown }

/** What the shadow policy said, as recorded beside a live decision it disagrees with. */
export type PolicyShadow =
  | { revision: string; outcome: Outcome; reasons: Reason[] }
  | { revision: string; error: string };

/** One divergence, as GET /v1/policy/shadow shows it. */
export interface Divergence { decisionId: string; action: string; from: Outcome; to: Outcome | 'error'; at: string; shadow: PolicyShadow }

/** Examples kept in memory per (action, from, to); counts are since the process started. */
export const SHADOW_EXAMPLES = 5;

/** The revision shown when the shadow policy cannot even be read. */
const UNKNOWN = 'unknown';

export class ShadowPolicy<H extends ShadowSource = ShadowSource> {
  private readonly counts = new Map<string, { action: string; from: Outcome; to: Outcome | 'error'; count: number; examples: Divergence[] }>();
  private compared = 0;
  readonly since = new Date().toISOString();

  constructor(readonly holder: H, readonly dir: string) {}

  /**
   * The shadow's outcome for a request the live policy decided as `live`, or undefined when it
   * agrees. Never throws: `policy` is read inside the guard too, so even a holder or policy that
   * fails on access only yields a recorded error.
   */
  beside(live: Decision, req: DecideRequest): PolicyShadow | undefined {
    let revision = UNKNOWN;
    try {
      const policy: CompiledPolicy = this.holder.current;
      revision = policy.revision;
      const d = decide(policy, { ...req, explain: 'off' });
      return d.outcome === live.outcome ? undefined : { revision, outcome: d.outcome, reasons: d.reasons };
    } catch (e) {
      return { revision, error: e instanceof Error ? e.message : String(e) };
    }
  }

  /** Counts a recorded comparison; `shadow` is what beside() returned for it. */
  note(decisionId: string, live: Decision, at: string, shadow: PolicyShadow | undefined): { from: Outcome; to: Outcome | 'error' } | undefined {
    this.compared++;
    if (!shadow) return undefined;
    const to = 'error' in shadow ? 'error' : shadow.outcome;
    const key = `${live.action}\u0000${live.outcome}\u0000${to}`;
    let entry = this.counts.get(key);
    if (!entry) this.counts.set(key, entry = { action: live.action, from: live.outcome, to, count: 0, examples: [] });
    entry.count++;
    entry.examples.unshift({ decisionId, action: live.action, from: live.outcome, to, at, shadow });
    if (entry.examples.length > SHADOW_EXAMPLES) entry.examples.pop();
    return { from: live.outcome, to };
  }

  private revision(): string {
    try {
      return this.holder.current.revision;
    } catch {
      return UNKNOWN;
    }
  }

  summary() {
    const divergences = [...this.counts.values()].sort((a, b) => b.count - a.count || a.action.localeCompare(b.action))
      .map(({ action, from, to, count, examples }) => ({ action, from, to, count, examples }));
    return {
      dir: this.dir, revision: this.revision(), lastReload: this.holder.lastReload, since: this.since,
      compared: this.compared, diverged: divergences.reduce((n, d) => n + d.count, 0), divergences,
    };
  }
}
