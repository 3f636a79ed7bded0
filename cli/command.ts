/**
 * One definition per command, from which the parser, `arbiter COMMAND --help` and the synopsis in
 * `arbiter help` (and the README's command table, which a test keeps equal to it) are all made, so
 * the help cannot drift from what the parser accepts.
 *
 * Converting an old-style command (`export const usage = '…'` beside
 * `export function x(argv, io) { const { values, positionals } = parse(argv, {...}, true); … }`):
 *   1. `export const x = command({ name, about, args, options, examples, run(values, positionals, io) { … } })`;
 *      `about` is its line from the old table in cli/main.ts, `args` the positional part of `usage`
 *      (`'<rules.json>'`, `'verify|export'`; omit it when there are none).
 *   2. Move the object given to `parse` into `options` as it is and give each option `help` (one
 *      line) and, for a string, `value` (the placeholder the synopsis shows: `D`, `N`, `FILE`).
 *   3. A `choice(values.x, 'x', [...], dflt)` becomes `choices: [...]` and `default` on the option;
 *      a `throw new UsageError('--a and --b are required')` becomes `required: true` on each.
 *   4. Delete `usage` and the `parse` call; register the command in cli/main.ts's list; add at
 *      least one example that `test/cli-help.test.ts` runs with `--help` appended.
 */
import { parseArgs } from 'node:util';
import { UsageError } from './args.js';
import type { Io } from './io.js';

export interface Option {
  type: 'string' | 'boolean';
  /** one line for `--help` */
  help: string;
  /** the placeholder in the synopsis, for a string option: `--dir D` */
  value?: string;
  /** the only values a string option takes; checked before `run` is called */
  choices?: readonly string[];
  default?: string | boolean | string[];
  multiple?: boolean;
  short?: string;
  required?: boolean;
  /** false: shown by `--help` but left out of the one-line synopsis, which then ends in `…` */
  synopsis?: boolean;
}

type One<T> = T extends { type: 'boolean' } ? boolean : T extends { choices: readonly (infer C extends string)[] } ? C : string;
type Value<T extends Option> = T extends { multiple: true } ? One<T>[] : T extends { default: unknown } | { required: true } ? One<T> : One<T> | undefined;
export type Values<O extends Record<string, Option>> = { [K in keyof O]: Value<O[K]> };

export interface Spec<O extends Record<string, Option>> {
  name: string;
  about: string;
  /** the positional arguments as the synopsis shows them; without it none are accepted */
  args?: string;
  options: O;
  /** full command lines, each starting `arbiter NAME` */
  examples: string[];
  run(values: Values<O>, positionals: string[], io: Io): number | Promise<number>;
}

export interface Command {
  name: string;
  about: string;
  synopsis: string;
  examples: string[];
  help(): string;
  run(argv: string[], io: Io): number | Promise<number>;
}

function flag(name: string, o: Option): string {
  if (o.type === 'boolean') return `--${name}`;
  return `--${name} ${o.choices ? o.choices.join('|') : (o.value ?? name.toUpperCase())}${o.multiple ? ' …' : ''}`;
}

export function command<const O extends Record<string, Option>>(spec: Spec<O>): Command {
  const entries = Object.entries(spec.options) as [string, Option][];
  const shown = entries.filter(([, o]) => o.synopsis !== false);
  const synopsis = [
    `arbiter ${spec.name}`, ...(spec.args ? [spec.args] : []),
    ...shown.map(([n, o]) => (o.required ? flag(n, o) : `[${flag(n, o)}]`)),
    ...(shown.length < entries.length ? ['…'] : []),
  ].join(' ');
  const help = () => {
    const rows = entries.map(([n, o]) => [`${o.short ? `-${o.short}, ` : ''}${flag(n, o)}`, `${o.help}${o.default !== undefined && o.type === 'string' && !o.multiple && o.default !== '' ? ` (default: ${String(o.default)})` : ''}`]);
    const width = Math.max(0, ...rows.map(([f]) => f!.length));
    return [
      `usage: ${synopsis}`, '', spec.about, '',
      ...(rows.length ? ['options:', ...rows.map(([f, h]) => `  ${f!.padEnd(width)}  ${h}`), ''] : []),
      'examples:', ...spec.examples.map((e) => `  ${e}`),
    ].join('\n');
  };
  const parserOptions = Object.fromEntries(entries.map(([n, o]) => [n, {
    type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}), ...(o.default !== undefined ? { default: o.default } : {}),
  }]));
  const run = (argv: string[], io: Io) => {
    if (argv.includes('--help') || argv.includes('-h')) {
      io.out(help());
      return 0;
    }
    let parsed;
    try {
      parsed = parseArgs({ args: argv, options: parserOptions as never, allowPositionals: spec.args !== undefined, strict: true });
    } catch (e) {
      throw new UsageError((e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
    }
    const values = parsed.values as Record<string, unknown>;
    const missing = entries.filter(([n, o]) => o.required && values[n] === undefined).map(([n]) => `--${n}`);
    if (missing.length) throw new UsageError(`${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} required`);
    for (const [n, o] of entries) {
      const given = values[n];
      if (!o.choices || given === undefined) continue;
      for (const v of [given].flat() as string[]) {
        if (!o.choices.includes(v)) throw new UsageError(`--${n} must be one of ${o.choices.join(', ')}, not \`${v}\``);
      }
    }
    return spec.run(values as Values<O>, parsed.positionals, io);
  };
  return { name: spec.name, about: spec.about, synopsis, examples: spec.examples, help, run };
}
