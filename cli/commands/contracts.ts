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
import { contractPath } from '../../engine/internal.js';
import { metaSchemaErrors } from '../../engine/internal.js';
import { UsageError } from '../args.js';
import { command } from '../command.js';
import { DIR } from '../options.js';

interface Authored { id: string; version: number; schema: unknown }

/** A schema that is neither a zod 4 schema nor a plain JSON Schema object (a zod 3 schema, a class instance). */
export class NotASchema extends Error {}

export function toJsonSchema(schema: unknown): unknown {
  if (schema instanceof z.ZodType) return z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'throw' });
  const why = notPlainJson(schema, '');
  if (why) throw new NotASchema(`${why}; \`schema\` must be a zod 4 schema or a JSON Schema object`);
  const invalid = metaSchemaErrors(schema as object);
  if (invalid) throw new NotASchema(`it is not a valid JSON Schema 2020-12 document: ${invalid}`);
  return schema;
}

/** Why a value is not plain JSON data (objects with the plain prototype, arrays, strings, finite numbers, booleans, null). */
function notPlainJson(v: unknown, at: string): string | undefined {
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const why = notPlainJson(v[i], `${at}/${i}`);
      if (why) return why;
    }
    return undefined;
  }
  if (typeof v === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(v))) {
    for (const [k, x] of Object.entries(v)) {
      const why = notPlainJson(x, `${at}/${k}`);
      if (why) return why;
    }
    return undefined;
  }
  const what = typeof v === 'object' ? `an instance of \`${(v as object).constructor?.name ?? 'a class'}\`` : `a ${typeof v}`;
  const isZod3 = typeof v === 'object' && '_def' in (v as object) && !('_zod' in (v as object));
  return `${at ? `\`${at}\` is` : 'it is'} ${what}${isZod3 ? ' (a zod 3 schema: import `z` from `zod`, version 4)' : ''}, not JSON`;
}

export function exportedText(c: Authored): string {
  return `${JSON.stringify(toJsonSchema(c.schema), null, 2)}\n`;
}

export const contracts = command({
  name: 'contracts',
  about: 'write contracts authored in zod to `schemas/<id>/<version>.schema.json`',
  args: 'export <module.js>',
  options: {
    dir: DIR,
    check: { type: 'boolean', default: false, help: 'write nothing; exit 1 when a file is missing or stale' },
  },
  examples: ['arbiter contracts export contracts/index.js', 'arbiter contracts export contracts/index.js --check'],
  async run(values, positionals, io) {
    const [verb, module] = positionals;
    if (verb !== 'export' || !module) throw new UsageError('expected `contracts export <module.js>`');
    const loaded = (await import(pathToFileURL(resolve(module)).href)) as { contracts?: Authored[] };
    if (!Array.isArray(loaded.contracts)) throw new UsageError(`\`${module}\` does not export \`contracts\`, a list of { id, version, schema }`);
    // Every contract is converted before any file is written, so a bad one leaves no half-exported set.
    const exported: { file: string; text: string }[] = [];
    for (const c of loaded.contracts) {
      try {
        exported.push({ file: join(values.dir, contractPath(c.id, c.version)), text: exportedText(c) });
      } catch (e) {
        if (!(e instanceof NotASchema)) throw e;
        io.err(`arbiter contracts: contract \`${c.id}@${c.version}\` in \`${module}\` cannot be exported: ${e.message}`);
        return 1;
      }
    }
    let stale = 0;
    for (const { file, text } of exported) {
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
  },
});
