/**
 * Loads the contract `id@version` from `schemas/<id>/<version>.schema.json`, compiles it with ajv
 * and reads its shape. Each contract is compiled once per policy.
 */
import type { ContractRef } from '../ast/types.js';
import type { Diagnostics } from '../errors.js';
import type { ContractUse } from '../compile/policy.js';
import { schemaSlot } from './shape.js';
import { compileValidator, createAjv, metaSchemaErrors } from './validate.js';

export const contractPath = (id: string, version: string | number) => `schemas/${id}/${version}.schema.json`;

/** Where an older version declares its upgrade to the next (ast/upgrade.ts). */
export const upgradePath = (id: string, version: string) => `schemas/${id}/${version}.upgrade.yaml`;

const DRAFT_2020 = 'https://json-schema.org/draft/2020-12/schema';

/**
 * The ajv instance a policy's contracts are compiled in, one per policy, in the order its actions
 * name them. They are checked against the meta-schema first (metaSchemaErrors), so it skips that.
 */
export const contractAjv = () => createAjv({ validateSchema: false });

export class ContractLoader {
  private readonly ajv = contractAjv();
  private readonly cache = new Map<string, ContractUse | null>();

  constructor(private readonly files: ReadonlyMap<string, string>, private readonly diags: Diagnostics) {}

  load(ref: ContractRef): ContractUse | undefined {
    const key = `${ref.id}@${ref.version}`;
    if (!this.cache.has(key)) this.cache.set(key, this.compile(ref, key) ?? null);
    return this.cache.get(key) ?? undefined;
  }

  private compile(ref: ContractRef, key: string): ContractUse | undefined {
    const file = contractPath(ref.id, ref.version);
    const text = this.files.get(file);
    if (text === undefined) {
      const versions = [...this.files.keys()].filter((f) => f.startsWith(`schemas/${ref.id}/`) && f.endsWith('.schema.json')).map((f) => f.slice(`schemas/${ref.id}/`.length).replace('.schema.json', ''));
      this.diags.error('unknown_contract', `contract \`${key}\` has no schema: \`${file}\` does not exist`, ref.loc,
        versions.length ? `versions of \`${ref.id}\`: ${versions.map((v) => `\`${v}\``).join(', ')}` : `write the JSON Schema to \`${file}\``);
      return undefined;
    }
    let schema: Record<string, unknown>;
    try {
      schema = JSON.parse(text) as Record<string, unknown>;
    } catch (e) {
      const m = /position (\d+)/.exec((e as Error).message);
      const offset = m ? Number(m[1]) : 0;
      const before = text.slice(0, offset).split('\n');
      this.diags.error('invalid_json', `\`${file}\` is not valid JSON: ${(e as Error).message.replace(/ in JSON at position \d+.*/, '').toLowerCase()}`,
        { file, line: before.length, col: (before.at(-1)?.length ?? 0) + 1 });
      return undefined;
    }
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
      this.diags.error('invalid_contract', `\`${file}\` must hold a JSON Schema object`, { file, line: 1, col: 1 });
      return undefined;
    }
    if (schema.$schema !== undefined && schema.$schema !== DRAFT_2020) {
      this.diags.error('invalid_contract', `\`${file}\` declares \`$schema: ${String(schema.$schema)}\``, { file, line: 1, col: 1 }, `contracts are JSON Schema 2020-12: \`"$schema": "${DRAFT_2020}"\``);
      return undefined;
    }
    const invalid = metaSchemaErrors(schema);
    if (invalid) {
      this.diags.error('invalid_contract', `\`${file}\` is not a valid JSON Schema: ${invalid}`, { file, line: 1, col: 1 });
      return undefined;
    }
    let validate;
    try {
      validate = compileValidator(this.ajv, schema);
    } catch (e) {
      this.diags.error('invalid_contract', `\`${file}\`: ${(e as Error).message}`, { file, line: 1, col: 1 },
        'contracts are compiled by ajv in strict mode: every keyword must be known and every type explicit');
      return undefined;
    }
    return { ref: key, id: ref.id, version: ref.version, schema, slot: schemaSlot(schema), file, validate };
  }
}
