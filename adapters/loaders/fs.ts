/**
 * Reads a policy repository from disk into the path → text map the engine compiles: the registry,
 * every JSON Schema and upgrade file under `schemas/`, every YAML file under `rules/`, and any
 * other rule file the registry names.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CORE_SCHEMA, load } from 'js-yaml';
import { REGISTRY_FILE } from '../../engine/index.js';

const SKIP = new Set(['node_modules', '.git', 'dist', 'data']);

export function walk(root: string, dir: string, keep: (rel: string) => boolean, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    if (SKIP.has(name) || name.startsWith('.')) continue;
    const full = join(dir, name);
    const st = lstatSync(full);
    if (st.isSymbolicLink()) continue;
    if (st.isDirectory()) walk(root, full, keep, out);
    else {
      const rel = relative(root, full).split(sep).join('/');
      if (keep(rel)) out.push(rel);
    }
  }
  return out;
}

const isSchemaFile = (rel: string) => rel.endsWith('.json') || rel.endsWith('.upgrade.yaml');
const isRuleFile = (rel: string) => /\.ya?ml$/.test(rel);

/**
 * Whether a path of a policy repository (`/`-separated, relative to it) is one loadPolicyFiles
 * reads without the registry naming it: for readers of a tree other than the disk (git).
 */
export function isPolicyFile(rel: string): boolean {
  const parts = rel.split('/');
  if (parts.some((p) => SKIP.has(p) || p.startsWith('.'))) return false;
  return rel === REGISTRY_FILE || (parts[0] === 'schemas' && isSchemaFile(rel)) || (parts[0] === 'rules' && isRuleFile(rel));
}

export function loadPolicyFiles(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const read = (rel: string) => {
    const full = join(dir, rel);
    // A registry naming `../x.yaml` or an absolute path gets a compile error, not the file's text.
    const inside = !isAbsolute(rel) && !relative(dir, full).split(sep).includes('..');
    if (inside && !files.has(rel) && existsSync(full) && statSync(full).isFile()) files.set(rel, readFileSync(full, 'utf8'));
  };
  read(REGISTRY_FILE);
  for (const rel of walk(dir, join(dir, 'schemas'), isSchemaFile)) read(rel);
  for (const rel of walk(dir, join(dir, 'rules'), isRuleFile)) read(rel);
  for (const rel of registryRuleFiles(files.get(REGISTRY_FILE))) read(rel);
  return files;
}

/**
 * The policy files once they have stopped changing: two reads `settleMs` apart that agree on
 * every path and every byte. An editor or a checkout writing while a reload starts would
 * otherwise have a half-written file compiled. Throws after `attempts` reads that kept changing.
 */
export async function loadSettledPolicyFiles(dir: string, settleMs: number, attempts = 20): Promise<Map<string, string>> {
  let before = loadPolicyFiles(dir);
  for (let i = 1; i < attempts; i++) {
    await sleep(settleMs);
    const after = loadPolicyFiles(dir);
    if (sameFiles(before, after)) return after;
    before = after;
  }
  throw new Error(`the policy files under \`${dir}\` kept changing over ${attempts} reads ${settleMs} ms apart`);
}

function sameFiles(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/** Rule and exception file paths named in the registry; a registry that does not parse names none (the compiler reports it). */
export function registryRuleFiles(text: string | undefined): string[] {
  if (text === undefined) return [];
  try {
    const doc = load(text, { schema: CORE_SCHEMA }) as { actions?: Record<string, { rules?: unknown; exceptions?: unknown }> } | null;
    return Object.values(doc?.actions ?? {}).flatMap((a) => [a?.rules, a?.exceptions].flatMap((x) => (Array.isArray(x) ? x : [x]))).filter((r): r is string => typeof r === 'string');
  } catch {
    return [];
  }
}

/** Every `*.test.yaml` under `rules/`, sorted. */
export function findTestFiles(dir: string): string[] {
  return walk(dir, join(dir, 'rules'), (p) => p.endsWith('.test.yaml') || p.endsWith('.test.yml'));
}

/** Every `*.invariants.yaml` under `rules/`, sorted. */
export function findInvariantFiles(dir: string): string[] {
  return walk(dir, join(dir, 'rules'), (p) => p.endsWith('.invariants.yaml') || p.endsWith('.invariants.yml'));
}
