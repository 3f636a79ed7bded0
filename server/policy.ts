/**
 * The policy being served, and hot reload. A candidate is read, compiled and tested by `check`
 * (in a worker thread when serving, which hands back the compiled policy) while the old revision
 * keeps serving; it replaces the old one in a single assignment only if it compiles and its tests pass. Otherwise the old revision stays
 * and why is kept for /v1/policy and the log. Reloads do not overlap; one asked for while another
 * runs starts after it, so it reads the files as they are after the change that asked for it.
 */
import { compilePolicy, formatDiagnostic, type CompiledPolicy, type Diagnostic, type GrantedFile } from '../engine/index.js';
import { grantedFile, grantPath, type Grant } from '../gate/exceptions.js';
import { checkCandidate, failedToRead, withGrants, type Checked, type CheckOptions, type Stage } from './reload/candidate.js';

/** Prepares a reload: reads, compiles and tests the files, with the exceptions granted through the gate. */
export type Check = (granted: readonly GrantedFile[]) => Promise<Checked>;

/** A grant compiled against the served files, ready to serve once its record is durable. */
export interface TriedGrants { grants: Grant[]; sources: ReadonlyMap<string, string>; policy: CompiledPolicy }

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
  /** the exceptions granted through the gate and not revoked, applied or set aside */
  private granted: Grant[] = [];
  /** granted exceptions that do not compile against the served files, by path: they relax nothing */
  private setAside = new Map<string, string[]>();
  /** counts changes to the grants, so a reload that ran across one compiles them again */
  private generation = 0;
  lastReload: ReloadStatus;

  private constructor(private policy: CompiledPolicy, private sources: ReadonlyMap<string, string>, private readonly check: Check, readonly loadedAt: string) {
    this.lastReload = { ok: true, at: loadedAt, revision: policy.revision, candidate: null, stage: null, cases: null, errors: [] };
  }

  /**
   * Compiles `files` with the exceptions granted through the gate (gate/exceptions.ts); throws with
   * every diagnostic when the files do not compile. `check` prepares each reload.
   */
  static open(files: ReadonlyMap<string, string>, check: Check, grants: readonly Grant[] = []): PolicyHolder {
    const r = compilePolicy(files);
    if (!r.ok) throw new Error(`the policy does not compile:\n${r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic).join('\n')}`);
    const holder = new PolicyHolder(r.policy, files, check, new Date().toISOString());
    if (grants.length) holder.serveGrants([...grants]);
    return holder;
  }

  /** The grants in force, and why each one set aside does not compile. */
  get grants(): { grants: readonly Grant[]; setAside: ReadonlyMap<string, string[]> } {
    return { grants: this.granted, setAside: this.setAside };
  }

  /**
   * Compiles the served files with these grants. Refused, with the diagnostics of the grants that
   * do not compile (those set aside before excepted), or ready for `serve` once recorded.
   */
  tryGrants(grants: Grant[]): { ok: true; tried: TriedGrants } | { ok: false; diagnostics: Diagnostic[] } {
    const sources = this.sources;
    const compiling = grants.filter((g) => !this.setAside.has(grantPath(g)));
    const r = compilePolicy(sources, { granted: compiling.map(grantedFile) });
    if (!r.ok) return { ok: false, diagnostics: r.diagnostics.filter((d) => d.severity === 'error') };
    return { ok: true, tried: { grants, sources, policy: r.policy } };
  }

  /** Serves tried grants; compiled again when a reload swapped the files since they were tried. */
  serve(tried: TriedGrants): void {
    if (tried.sources !== this.sources) return this.serveGrants(tried.grants);
    this.generation++;
    this.granted = tried.grants;
    this.policy = tried.policy;
  }

  /** Serves the files with these grants, setting aside any that do not compile (at start, with those the log holds). */
  serveGrants(grants: Grant[]): void {
    this.generation++;
    this.granted = grants;
    const w = withGrants(this.sources, grants.map(grantedFile));
    // The files compiled without grants, so every error is a grant's and withGrants sets it aside.
    if ('error' in w) throw new Error(`the policy does not compile with its granted exceptions:\n${w.error.join('\n')}`);
    this.policy = w.policy;
    this.setAside = new Map([...w.setAside].map(([p, ds]) => [p, ds.map(formatDiagnostic)]));
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
    const generation = this.generation;
    try {
      checked = await this.check(this.granted.map(grantedFile));
    } catch (e) {
      checked = { verdict: failedToRead(e) };
    }
    const v = checked.verdict;
    this.candidatePaths = v.files.map(([p]) => p);
    const refused = (stage: Stage, errors: string[]): ReloadStatus => ({ ok: false, at, revision: null, candidate: v.revision, stage, cases: v.cases, errors });
    if (!v.ok) return (this.lastReload = refused(v.stage ?? 'error', v.errors));
    const { policy } = checked;
    if (!policy) return (this.lastReload = refused('error', ['the reload check passed but handed back no policy to serve']));
    this.sources = new Map(v.files);
    if (generation !== this.generation) this.serveGrants(this.granted);  // granted or revoked while the reload ran
    else {
      this.policy = policy;
      this.setAside = new Map(v.setAside ?? []);
    }
    return (this.lastReload = { ok: true, at, revision: this.policy.revision, candidate: null, stage: null, cases: v.cases, errors: [] });
  }
}

/** A check in this thread, over whatever `load` returns (tests build gates over files held in memory). */
export function checkHere(load: () => ReadonlyMap<string, string>, options: CheckOptions): Check {
  return async (granted) => {
    // Yield first, so the request or signal that asked is not held up by the compile.
    await new Promise((r) => setImmediate(r));
    try {
      return checkCandidate(load(), options, granted);
    } catch (e) {
      return { verdict: failedToRead(e) };
    }
  };
}
