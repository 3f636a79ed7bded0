/**
 * Large policy packs for reload measurements: the bundled pack (so its test cases still pass)
 * with many more rules for `refund_order` that its cases never make fire.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The repository root, from here in the sources or in dist/. */
function root(dir = import.meta.dirname): string {
  return existsSync(join(dir, 'package.json')) ? dir : root(dirname(dir));
}
const ROOT = root();

/** A temporary copy of the bundled pack. */
export function copyPack(from = ROOT): string {
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-reload-pack-'));
  for (const p of ['rules.registry.yaml', 'schemas', 'rules']) cpSync(join(from, p), join(dir, p), { recursive: true });
  return dir;
}

/** `n` plain comparison rules: codegen, type checks and the revision hash at scale. */
export function comparisonRules(n: number): string {
  return Array.from({ length: n }, (_, i) => `  - id: bulk.r${i}
    outcome: review
    when:
      all:
        - { fact: proposal.order_id, operator: equal, value: "o-9999${i}" }
        - { fact: proposal.amount, operator: greaterThan, value: ${i % 700} }
`).join('\n');
}

/** `n` rules with distinct patterns that recheck takes some 25 ms each to prove linear. */
export function patternRules(n: number): string {
  return Array.from({ length: n }, (_, i) => `  - id: bulk.p${i}
    outcome: review
    when: { fact: proposal.order_id, operator: matches, value: "^[A-Z]{2}[0-9]{4,9}(-[a-z]+)?-${i}$" }
`).join('\n');
}

/** Adds `rules` (YAML list items) to the rules of `rules/refund_order.yaml` in `dir`. */
export function addRefundRules(dir: string, rules: string): void {
  const file = join(dir, 'rules/refund_order.yaml');
  const text = readFileSync(file, 'utf8');
  const at = text.indexOf('\nrisk:\n');
  writeFileSync(file, `${text.slice(0, at)}\n${rules}${text.slice(at)}`);
}
