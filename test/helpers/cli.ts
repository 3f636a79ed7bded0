/** Runs the `arbiter` command in-process and captures its output. */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main.js';

export const ROOT = join(import.meta.dirname, '..', '..');

export async function arbiter(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(argv, {
    out: (t) => { out += t.endsWith('\n') ? t : `${t}\n`; },
    err: (t) => { err += t.endsWith('\n') ? t : `${t}\n`; },
    stdin: () => '',
  });
  return { code, out, err };
}

/** A temporary copy of a pack (registry, schemas, rules; by default the bundled one) to edit in a test. */
export function copyOfPack(from = ROOT): string {
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-pack-'));
  for (const p of ['rules.registry.yaml', 'schemas', 'rules']) cpSync(join(from, p), join(dir, p), { recursive: true });
  return dir;
}

/** The pack with planted mistakes, one for each policy-CI tool. */
export const PLANTED = join(ROOT, 'test/fixtures/planted');
