/** The `arbiter` command. */
import { DecideError } from '../engine/index.js';
import { UsageError } from './args.js';
import { analyzeCommand, usage as analyzeUsage } from './commands/analyze.js';
import { auditCommand, usage as auditUsage } from './commands/audit.js';
import { check, usage as checkUsage } from './commands/check.js';
import { contracts, usage as contractsUsage } from './commands/contracts.js';
import { dlqCommand, usage as dlqUsage } from './commands/dlq.js';
import { evalCommand, usage as evalUsage } from './commands/eval.js';
import { importCommand, usage as importUsage } from './commands/import.js';
import { keysCommand, usage as keysUsage } from './commands/keys.js';
import { propCommand, usage as propUsage } from './commands/prop.js';
import { serveCommand, usage as serveUsage } from './commands/serve.js';
import { test, usage as testUsage } from './commands/test.js';
import { processIo, type Io } from './io.js';

type Command = { run(argv: string[], io: Io): number | Promise<number>; usage: string; about: string };

const COMMANDS: Record<string, Command> = {
  check: { run: check, usage: checkUsage, about: 'compile the policy and print every error and warning' },
  eval: { run: evalCommand, usage: evalUsage, about: 'decide one proposal and print the decision' },
  test: { run: test, usage: testUsage, about: 'run the *.test.yaml cases and report coverage' },
  analyze: { run: analyzeCommand, usage: analyzeUsage, about: 'find rules that never fire, shadowed and overlapping rules, and gaps' },
  prop: { run: propCommand, usage: propUsage, about: 'property tests on inputs generated from the contracts: built-in properties and invariants' },
  import: { run: importCommand, usage: importUsage, about: 'convert json-rules-engine rules to an Arbiter rule file' },
  serve: { run: serveCommand, usage: serveUsage, about: 'run the gate: the HTTP API over the policy and a decision store' },
  audit: { run: auditCommand, usage: auditUsage, about: 'verify the decision log\'s hash chain, or export it as JSON Lines' },
  dlq: { run: dlqCommand, usage: dlqUsage, about: 'list, show, replay or purge dead-lettered deliveries (through the gate, audited)' },
  keys: { run: keysCommand, usage: keysUsage, about: 'create an API key (only its hash is stored)' },
  contracts: { run: contracts, usage: contractsUsage, about: 'export contracts authored in zod to JSON Schema files' },
};

function help(): string {
  return ['usage: arbiter <command> [options]', '', ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.about}\n           ${c.usage}`)].join('\n');
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(help());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`arbiter: unknown command \`${name}\`\n\n${help()}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`arbiter ${name}: ${e.message}\nusage: ${command.usage}`);
      return 2;
    }
    if (e instanceof DecideError) {
      io.err(`arbiter ${name}: ${e.code}: ${e.message}`);
      return 2;
    }
    throw e;
  }
}
