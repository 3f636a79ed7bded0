/**
 * The policy being served, and hot reload. A candidate is read, compiled and tested by `check`
 * (in a worker thread when serving, which hands back the compiled policy) while the old revision
 * keeps serving; it replaces the old one in a single assignment only if it compiles and its tests pass. Otherwise the old revision stays
 * and why is kept for /v1/policy and the log. Reloads do not overlap; one asked for while another
 * runs starts after it, so it reads the files as they are after the change that asked for it.
 */
import { compilePolicy, formatDiagnostic, type CompiledPolicy } from '../engine/index.js';
import { checkCandidate, failedToRead, type Checked, type CheckOptions, type Stage } from './reload/candidate.js';

export interface ReloadStatus {
  ok: boolean;
  at: string;
  /** the revision swapped in; null when the attempt was refused */
  revision: string | null;
  /** the refused candidate's revision, when it compiled */
  candidate: string | null;
  /** where a refused attempt stopped */
  stage: Stage | null;
  /** test cases the candidate passed or failed; null when tests were not run */
  cases: number | null;
  errors: string[];
}

export class PolicyHolder {
  private running: Promise<ReloadStatus> | undefined;
  private queued: Promise<ReloadStatus> | undefined;
  private candidatePaths: string[] = [];
  lastReload: ReloadStatus;

  private constructor(private policy: CompiledPolicy, private sources: ReadonlyMap<string, string>, private readonly check: () => Promise<Checked>, readonly loadedAt: string) {
    this.lastReload = { ok: true, at: loadedAt, revision: policy.revision, candidate: null, stage: null, cases: null, errors: [] };
  }

  /** Compiles `files`; throws with every diagnostic when they do not compile. `check` prepares each reload. */
  static open(files: ReadonlyMap<string, string>, check: () => Promise<Checked>): PolicyHolder {
    const r = compilePolicy(files);
    if (!r.ok) throw new Error(`the policy does not compile:\n${r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic).join('\n')}`);
    return new PolicyHolder(r.policy, files, check, new Date().toISOString());
  }

  get current(): CompiledPolicy {
    return this.policy;
  }

  /** The files the current policy was compiled from (contracts of every version among them). */
  get files(): ReadonlyMap<string, string> {
    return this.sources;
  }

  /** The files of the policy served and of the last candidate, refused or not: what `--watch` watches. */
  get paths(): Set<string> {
    return new Set([...this.sources.keys(), ...this.candidatePaths]);
  }

  reload(): Promise<ReloadStatus> {
    if (!this.running) {
      this.running = this.attempt().finally(() => { this.running = undefined; });
      return this.running;
    }
    this.queued ??= this.running.then(() => { this.queued = undefined; return this.reload(); });
    return this.queued;
  }

  private async attempt(): Promise<ReloadStatus> {
    const at = new Date().toISOString();
    let checked: Checked;
    try {
      checked = await this.check();
    } catch (e) {
      checked = { verdict: failedToRead(e) };
    }
    const v = checked.verdict;
    this.candidatePaths = v.files.map(([p]) => p);
    const refused = (stage: Stage, errors: string[]): ReloadStatus => ({ ok: false, at, revision: null, candidate: v.revision, stage, cases: v.cases, errors });
    if (!v.ok) return (this.lastReload = refused(v.stage ?? 'error', v.errors));
    const { policy } = checked;
    if (!policy) return (this.lastReload = refused('error', ['the reload check passed but handed back no policy to serve']));
    this.policy = policy;
    this.sources = new Map(v.files);
    return (this.lastReload = { ok: true, at, revision: policy.revision, candidate: null, stage: null, cases: v.cases, errors: [] });
  }
}

/** A check in this thread, over whatever `load` returns (tests build gates over files held in memory). */
export function checkHere(load: () => ReadonlyMap<string, string>, options: CheckOptions): () => Promise<Checked> {
  return async () => {
    // Yield first, so the request or signal that asked is not held up by the compile.
    await new Promise((r) => setImmediate(r));
    try {
      return checkCandidate(load(), options);
    } catch (e) {
      return { verdict: failedToRead(e) };
    }
  };
}
