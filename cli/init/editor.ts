/**
 * Editor support in a policy repository: the `yaml-language-server` headers and VS Code's
 * `yaml.schemas` point at the meta-schemas of the installed package, so completion and checking
 * work in any repository that depends on Arbiter, not only in this checkout.
 */

export const META_KINDS = ['registry', 'rules', 'tests', 'invariants', 'upgrade'] as const;
export type MetaKind = (typeof META_KINDS)[number];

/** Where the meta-schema is, relative to the repository root. */
export const metaPath = (kind: MetaKind) => `node_modules/arbiter-gate/schemas/meta/${kind}.schema.json`;

/** The first line of a file of this kind, `up` being the way from its folder to the root (`../`). */
export const metaHeader = (kind: MetaKind, up: string) => `# yaml-language-server: $schema=${up}${metaPath(kind)}`;

/** Which files each meta-schema describes; the headers say the same, and win where both apply. */
const GLOBS: Record<MetaKind, string[]> = {
  registry: ['rules.registry.yaml'],
  rules: ['rules/**/*.yaml', '!rules/**/*.test.yaml', '!rules/**/*.invariants.yaml'],
  tests: ['rules/**/*.test.yaml'],
  invariants: ['rules/**/*.invariants.yaml'],
  upgrade: ['schemas/*/*.upgrade.yaml'],
};

export function vscodeSettings(): string {
  return `${JSON.stringify({ 'yaml.schemas': Object.fromEntries(META_KINDS.map((k) => [`./${metaPath(k)}`, GLOBS[k]])) }, null, 2)}\n`;
}
