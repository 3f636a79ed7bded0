/** Options that several commands take, defined once so their help reads the same everywhere. */
import type { Option } from './command.js';

export const DIR = { type: 'string', value: 'D', default: '.', help: 'the policy repository: rules.registry.yaml, schemas/, rules/' } as const satisfies Option;
export const ACTION = { type: 'string', value: 'A', help: 'only this action (default: every action in the registry)' } as const satisfies Option;
export const SEED = { type: 'string', value: 'S', help: 'the random seed, to reproduce a run (default: a new one, printed)' } as const satisfies Option;
export const NOW = { type: 'string', value: 'ISO', help: 'the time rules see as `now`, RFC 3339 (default: the current second)' } as const satisfies Option;
