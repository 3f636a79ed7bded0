/**
 * Compile-error fixtures (test/compile-errors/*.yaml): rule files kept verbatim, so positions are
 * real, with the exact diagnostics they must produce: code, file:line:col, message and help.
 * No other error may appear.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORE_SCHEMA, load } from 'js-yaml';
import { compilePolicy } from '../engine/index.js';
import { miniFiles } from './helpers/policy.js';

interface Fixture {
  description: string;
  contract?: object;
  context?: object;
  rules: string;
  registry?: string;
  files?: Record<string, string>;
  expect: { code: string; at?: string; message: string; help?: string; severity?: 'error' | 'warning' }[];
}

const CONTRACT = {
  type: 'object', additionalProperties: false, required: ['amount', 'tier', 'customer'],
  properties: {
    amount: { type: 'number' }, tier: { type: 'string', enum: ['basic', 'premium'] }, note: { type: 'string' },
    customer: { type: 'object', additionalProperties: false, required: ['email'], properties: { email: { type: 'string' }, name: { type: 'string' } } },
  },
};

const dir = join(import.meta.dirname, 'compile-errors');

describe('compile errors', () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const fx = load(readFileSync(join(dir, file), 'utf8'), { schema: CORE_SCHEMA }) as Fixture;
    it(`${file}: ${fx.description}`, () => {
      const files = miniFiles({ contract: fx.contract ?? CONTRACT, ...(fx.context ? { context: fx.context } : {}), rules: fx.rules, ...(fx.files ? { files: fx.files } : {}) });
      if (fx.registry) files.set('rules.registry.yaml', fx.registry);
      const result = compilePolicy(files);
      const got = result.diagnostics.map((d) => ({
        code: d.code, severity: d.severity, message: d.message,
        ...(d.loc ? { at: `${d.loc.file}:${d.loc.line}:${d.loc.col}` } : {}), ...(d.help ? { help: d.help } : {}),
      }));
      const want = fx.expect.map((e) => ({ severity: 'error', ...e }));
      expect(got).toEqual(want);
      expect(result.ok).toBe(want.every((e) => e.severity === 'warning'));
    });
  }
});
