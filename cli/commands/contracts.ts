/**
 * `arbiter contracts export <module.js> [--dir D] [--check]`: writes contracts authored in zod to
 * `schemas/<id>/<version>.schema.json`. The module exports `contracts`, a list of
 * `{ id, version, schema }` where `schema` is a zod schema (or a plain JSON Schema object).
 * With `--check` nothing is written and the exit status is 1 when a file is missing or stale.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { contractPath } from '../../engine/contracts/load.js';
import { parse, UsageError } from '../args.js';
import type { Io } from '../io.js';

export const usage = 'arbiter contracts export <module.js> [--dir D] [--check]';

interface Authored { id: string; version: number; schema: unknown }

export function toJsonSchema(schema: unknown): unknown {
  if (schema instanceof z.ZodType) return z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'throw' });
  return schema;
}

export function exportedText(c: Authored): string {
  return `${JSON.stringify(toJsonSchema(c.schema), null, 2)}\n`;
}

export async function contracts(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { dir: { type: 'string', default: '.' }, check: { type: 'boolean', default: false } }, true);
  const [verb, module] = positionals;
  if (verb !== 'export' || !module) throw new UsageError('expected `contracts export <module.js>`');
  const loaded = (await import(pathToFileURL(resolve(module)).href)) as { contracts?: Authored[] };
  if (!Array.isArray(loaded.contracts)) throw new UsageError(`\`${module}\` does not export \`contracts\`, a list of { id, version, schema }`);
  let stale = 0;
  for (const c of loaded.contracts) {
    const file = join(values.dir, contractPath(c.id, c.version));
    const text = exportedText(c);
    const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    if (current === text) continue;
    if (values.check) {
      io.err(`${file}: ${current === undefined ? 'missing' : 'stale'}; run \`arbiter contracts export ${module}\``);
      stale++;
      continue;
    }
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    io.out(`wrote ${file}`);
  }
  if (values.check && stale === 0) io.out(`${loaded.contracts.length} exported contracts are current`);
  return stale ? 1 : 0;
}
