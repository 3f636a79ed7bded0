/** What commands share: where output goes, and loading and compiling a policy directory. */
import { readFileSync } from 'node:fs';
import { compilePolicy, formatDiagnostic, type CompileResult, type CompiledAction, type CompiledPolicy } from '../engine/index.js';
import { loadPolicyFiles } from '../adapters/loaders/fs.js';
import { openStore } from '../adapters/stores/open.js';
import { StoreMissingError, StoreUnavailableError, type Store } from '../adapters/stores/store.js';
import { StoreUrlError } from '../adapters/stores/url.js';
import { UsageError } from './args.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** standard input, for `-` arguments */
  stdin(): string;
  /** the environment a command reads its secrets from; default process.env */
  env?: Record<string, string | undefined>;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  stdin: () => readFileSync(0, 'utf8'),
};

export function compileDir(dir: string): { result: CompileResult; files: Map<string, string> } {
  const files = loadPolicyFiles(dir);
  return { result: compilePolicy(files), files };
}

/** The compiled policy and the files it was compiled from, or undefined (after printing why). */
export function loadPolicy(dir: string, io: Io): { policy: CompiledPolicy; files: Map<string, string> } | undefined {
  const { result, files } = compileDir(dir);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  for (const d of errors) io.err(formatDiagnostic(d));
  if (!result.ok) {
    io.err(`the policy in \`${dir}\` does not compile (${errors.length} error${errors.length === 1 ? '' : 's'}); run \`arbiter check --dir ${dir}\``);
    return undefined;
  }
  return { policy: result.policy, files };
}

/** The actions a command runs on: every one, or the one `--action` names. */
export function selectActions(policy: CompiledPolicy, name: string | undefined): CompiledAction[] {
  if (name === undefined) return [...policy.actions.values()];
  const action = policy.actions.get(name);
  if (!action) throw new UsageError(`action \`${name}\` is not in the registry; it has ${[...policy.actions.keys()].join(', ')}`);
  return [action];
}

/** A JSON file, or standard input for `-`. */
export function readJson(path: string, what: string, io: Io): unknown {
  let text: string;
  try {
    text = path === '-' ? io.stdin() : readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${what} \`${path}\`: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new UsageError(`${what} \`${path}\` is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * A store a command only reads, or undefined (after printing why): a mistyped path must not
 * become a new, empty log that verifies as intact or replays as nothing.
 */
export async function openStoreToRead(url: string, command: string, io: Io): Promise<Store | undefined> {
  try {
    return await openStore(url, { mustExist: true });
  } catch (e) {
    if (e instanceof StoreUrlError) throw new UsageError(e.message);
    if (!(e instanceof StoreMissingError || e instanceof StoreUnavailableError)) throw e;
    io.err(`arbiter ${command}: ${e.message}`);
    return undefined;
  }
}
