/**
 * The policy being served, and hot reload: the new revision is compiled while the old one keeps
 * serving; it replaces the old one in a single assignment only if it compiles; if it does not,
 * its errors are kept for /v1/policy and the log. Reloads do not overlap.
 */
import { compilePolicy, formatDiagnostic, type CompiledPolicy } from '../engine/index.js';

export interface ReloadStatus { ok: boolean; at: string; revision: string | null; errors: string[] }

export class PolicyHolder {
  private reloading: Promise<ReloadStatus> | undefined;
  lastReload: ReloadStatus;

  private constructor(private policy: CompiledPolicy, private sources: ReadonlyMap<string, string>, private readonly load: () => ReadonlyMap<string, string>, readonly loadedAt: string) {
    this.lastReload = { ok: true, at: loadedAt, revision: policy.revision, errors: [] };
  }

  /** Loads and compiles; throws with every diagnostic when the policy does not compile. */
  static open(load: () => ReadonlyMap<string, string>): PolicyHolder {
    const sources = load();
    const r = compilePolicy(sources);
    if (!r.ok) throw new Error(`the policy does not compile:\n${r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic).join('\n')}`);
    return new PolicyHolder(r.policy, sources, load, new Date().toISOString());
  }

  get current(): CompiledPolicy {
    return this.policy;
  }

  /** The files the current policy was compiled from (contracts of every version among them). */
  get files(): ReadonlyMap<string, string> {
    return this.sources;
  }

  reload(): Promise<ReloadStatus> {
    this.reloading ??= this.doReload().finally(() => { this.reloading = undefined; });
    return this.reloading;
  }

  private async doReload(): Promise<ReloadStatus> {
    // Yield first, so the request or signal that asked is not held up by the compile.
    await new Promise((r) => setImmediate(r));
    const at = new Date().toISOString();
    try {
      const sources = this.load();
      const r = compilePolicy(sources);
      if (!r.ok) {
        this.lastReload = { ok: false, at, revision: null, errors: r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic) };
      } else {
        this.policy = r.policy;
        this.sources = sources;
        this.lastReload = { ok: true, at, revision: r.policy.revision, errors: [] };
      }
    } catch (e) {
      this.lastReload = { ok: false, at, revision: null, errors: [(e as Error).message] };
    }
    return this.lastReload;
  }
}
