/** Every command's help comes from the definition its parser uses, and the docs' command tables say the same. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../cli/main.js';
import { arbiter, ROOT } from './helpers/cli.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

/** The `--flag` words of a command line. */
const flags = (line: string) => [...line.matchAll(/(?:^| )--([a-z][a-z-]*)/g)].map((m) => m[1]!);

/** The first cell of each row of the markdown table under `## heading`, unescaped. */
function tableCommands(file: string, heading: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const section = text.slice(text.indexOf(`${heading}\n`));
  const table = /\n(\|[^\n]*\|\n)+/.exec(section)![0];
  return [...table.matchAll(/^\| `(arbiter [^`]*)` \|/gm)].map((m) => m[1]!.replace(/\\\|/g, '|'));
}

describe('arbiter help', () => {
  it('prints the version of package.json', async () => {
    expect(await arbiter('--version')).toEqual({ code: 0, out: `${pkg.version}\n`, err: '' });
  });

  it('lists every command with its summary', async () => {
    const r = await arbiter('help');
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.out).toContain(`  ${c.name.padEnd(9)}  ${c.about}\n`);
  });

  it.each(COMMANDS.map((c) => [c.name, c] as const))('`arbiter %s --help` shows the synopsis, every option and runnable examples', async (name, c) => {
    const r = await arbiter(name, '--help');
    expect(r).toEqual({ code: 0, out: `${c.help()}\n`, err: '' });
    expect(r.out.startsWith(`usage: ${c.synopsis}\n`)).toBe(true);
    expect((await arbiter('help', name)).out).toBe(r.out);
    expect(c.examples.length).toBeGreaterThan(0);
    for (const e of c.examples) {
      expect(e.startsWith(`arbiter ${name}`)).toBe(true);
      for (const f of flags(e)) expect(r.out, `${e}: --${f}`).toContain(`  --${f}`);
    }
    for (const f of flags(c.synopsis)) expect(r.out).toContain(`  --${f}`);
  });

  it('answers a usage error with the synopsis and where the help is', async () => {
    const r = await arbiter('test', '--min-score', '90');
    expect(r.code).toBe(2);
    expect(r.err).toBe('arbiter test: --min-score goes with --mutate\nusage: arbiter test [--dir D] [--coverage] [--min-coverage N] [--junit out.xml] [--verbose] [--mutate] [--min-score N] [--format text|json|github]\n`arbiter test --help` lists every option\n');
    const bad = await arbiter('analyze', '--fail-on', 'never');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('arbiter analyze: --fail-on must be one of error, warning, info, not `never`\n');
    const missing = await arbiter('keys', 'create', '--id', 'bot');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('arbiter keys: --scope is required\n');
  });
});

describe('the docs', () => {
  it("README's command table is the commands' synopses, in order", () => {
    expect(tableCommands('README.md', '## Commands')).toEqual(COMMANDS.map((c) => c.synopsis));
  });

  it("docs/ci.md's table uses only options the commands take", async () => {
    const rows = tableCommands('docs/ci.md', '# Policy CI');
    expect(rows.length).toBeGreaterThan(4);
    for (const row of rows) {
      const c = COMMANDS.find((x) => x.name === row.split(' ')[1])!;
      for (const f of flags(row)) expect(c.help(), row).toContain(`  --${f}`);
    }
  });
});
