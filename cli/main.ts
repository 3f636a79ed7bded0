/** The `arbiter` command: `arbiter help`, `arbiter --version`, and the commands of cli/commands/. */
import { DecideError } from '../engine/index.js';
import { UsageError } from './args.js';
import type { Command } from './command.js';
import { analyzeCommand } from './commands/analyze.js';
import { auditCommand } from './commands/audit.js';
import { check } from './commands/check.js';
import { contracts } from './commands/contracts.js';
import { diffCommand } from './commands/diff.js';
import { dlqCommand } from './commands/dlq.js';
import { evalCommand } from './commands/eval.js';
import { fmt } from './commands/fmt.js';
import { importCommand } from './commands/import.js';
import { init } from './commands/init.js';
import { keysCommand } from './commands/keys.js';
import { propCommand } from './commands/prop.js';
import { proposeCommand } from './commands/propose.js';
import { replayCommand } from './commands/replay.js';
import { serveCommand } from './commands/serve.js';
import { test } from './commands/test.js';
import { typesCommand } from './commands/types.js';
import { processIo, type Io } from './io.js';
import { version } from './version.js';

/** In the order `arbiter help` and the README list them. */
export const COMMANDS: readonly Command[] = [init, check, evalCommand, proposeCommand, test, propCommand, analyzeCommand, replayCommand, diffCommand, fmt, importCommand, contracts, typesCommand, serveCommand, auditCommand, dlqCommand, keysCommand];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: arbiter <command> [options]', '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.about}`), '',
    '`arbiter <command> --help` shows a command\'s options and examples; `arbiter --version` the version.',
  ].join('\n');
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V') {
    io.out(version());
    return 0;
  }
  if (name === 'help' && rest[0] !== undefined) return main([rest[0], '--help'], io);
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(help());
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`arbiter: unknown command \`${name}\`\n\n${help()}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`arbiter ${name}: ${e.message}\nusage: ${command.synopsis}\n\`arbiter ${name} --help\` lists every option`);
      return 2;
    }
    if (e instanceof DecideError) {
      io.err(`arbiter ${name}: ${e.code}: ${e.message}`);
      return 2;
    }
    throw e;
  }
}
