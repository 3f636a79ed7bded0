/**
 * Reads a policy repository as it is at a git revision, without a checkout: the same files
 * loadPolicyFiles reads from disk (fs.ts), listed with `git ls-tree` and read with one
 * `git cat-file --batch`, so the working tree and the index are left as they are.
 */
import { execFileSync } from 'node:child_process';
import { REGISTRY_FILE } from '../../engine/index.js';
import { isPolicyFile, registryRuleFiles } from './fs.js';

/** git could not give the files: not a repository, a revision it does not know, no git. */
export class GitReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GitReadError';
  }
}

function git(dir: string, args: string[], input?: string): Buffer {
  try {
    return execFileSync('git', ['-C', dir, ...args], { maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'], ...(input !== undefined ? { input } : {}) });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    const said = err.stderr?.toString('utf8').trim().split('\n')[0];
    throw new GitReadError(err.code === 'ENOENT' ? 'git is not installed' : `git ${args[0]}: ${said || err.message}`);
  }
}

/** The policy files of `dir` (a repository or a directory inside one) at `ref`, by path relative to `dir`. */
export function loadPolicyFilesAt(dir: string, ref: string): Map<string, string> {
  // Paths come back relative to `dir`, limited to it.
  const listed = git(dir, ['ls-tree', '-r', '-z', '--name-only', ref, '--', '.']).toString('utf8').split('\0').filter(Boolean);
  const known = new Set(listed);
  const wanted = listed.filter(isPolicyFile);
  const files = read(dir, ref, wanted);
  // Rule files the registry names outside rules/: read as loadPolicyFiles reads them.
  const more = registryRuleFiles(files.get(REGISTRY_FILE)).filter((p) => !files.has(p) && known.has(p));
  for (const [p, text] of read(dir, ref, more)) files.set(p, text);
  return files;
}

function read(dir: string, ref: string, paths: string[]): Map<string, string> {
  const files = new Map<string, string>();
  if (!paths.length) return files;
  const out = git(dir, ['cat-file', '--batch'], paths.map((p) => `${ref}:./${p}\n`).join(''));
  let at = 0;
  for (const p of paths) {
    const eol = out.indexOf(10, at);
    const header = out.subarray(at, eol).toString('utf8');
    const m = /^[0-9a-f]+ blob (\d+)$/.exec(header);
    if (!m) throw new GitReadError(`git cat-file: cannot read \`${p}\` at \`${ref}\`: ${header}`);
    const size = Number(m[1]);
    files.set(p, out.subarray(eol + 1, eol + 1 + size).toString('utf8'));
    at = eol + 1 + size + 1;
  }
  return files;
}
