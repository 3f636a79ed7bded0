/** Builds small in-memory policies for tests: one action `t` with an inline contract and rule file. */
import { dump } from 'js-yaml';
import { compilePolicy, formatDiagnostic, type CompiledPolicy } from '../../engine/index.js';

export interface MiniPolicy {
  contract: object;
  context?: object;
  /** rule file text, or an object serialised to YAML */
  rules: string | object;
  /** extra action settings for the registry (default, on_unknown, …) */
  action?: Record<string, unknown>;
  /** further files, by path */
  files?: Record<string, string>;
}

export const SCHEMA_2020 = 'https://json-schema.org/draft/2020-12/schema';

export function miniFiles(p: MiniPolicy): Map<string, string> {
  const action = {
    contract: 't@1', ...(p.context ? { context: 't_context@1' } : {}), rules: ['rules/t.yaml'],
    side_effects: 'none', default: 'approve', ...(p.action ?? {}),
  };
  const files = new Map<string, string>([
    ['rules.registry.yaml', dump({ version: 1, actions: { t: action } })],
    ['schemas/t/1.schema.json', JSON.stringify({ $schema: SCHEMA_2020, ...p.contract })],
    ['rules/t.yaml', typeof p.rules === 'string' ? p.rules : dump(p.rules)],
  ]);
  if (p.context) files.set('schemas/t_context/1.schema.json', JSON.stringify({ $schema: SCHEMA_2020, ...p.context }));
  for (const [k, v] of Object.entries(p.files ?? {})) files.set(k, v);
  return files;
}

export function compileMini(p: MiniPolicy): CompiledPolicy {
  const r = compilePolicy(miniFiles(p));
  if (!r.ok) throw new Error(`policy does not compile:\n${r.diagnostics.map(formatDiagnostic).join('\n')}`);
  return r.policy;
}
