/**
 * `arbiter keys create --id ID --scope SCOPE [--scope …] [--file keys.yaml]`: makes an API key.
 * The key is printed once; only its hash is kept (added to --file, or printed as a file entry).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { CORE_SCHEMA, dump, load } from 'js-yaml';
import { generateKey, hashKey, KeyRing } from '../../server/keys.js';
import { UsageError } from '../args.js';
import { command } from '../command.js';

export const keysCommand = command({
  name: 'keys',
  about: 'make an API key; the file keeps only its hash',
  args: 'create',
  options: {
    id: { type: 'string', value: 'ID', required: true, help: 'the key\'s name, shown in the decision log' },
    scope: { type: 'string', value: 'SCOPE', multiple: true, required: true, help: 'what the key may do (repeat for more than one)' },
    file: { type: 'string', value: 'keys.yaml', help: 'add the entry to this key file (default: print it)' },
  },
  examples: ['arbiter keys create --id billing-bot --scope decide --file keys.yaml'],
  run(values, positionals, io) {
    if (positionals[0] !== 'create') throw new UsageError('expected `keys create`');
    let token: string;
    try {
      token = generateKey(values.id);
      new KeyRing([{ id: values.id, hash: hashKey(token), scopes: values.scope }]);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const entry = { id: values.id, hash: hashKey(token), scopes: values.scope };
    if (values.file) {
      const doc = (existsSync(values.file) ? load(readFileSync(values.file, 'utf8'), { schema: CORE_SCHEMA }) : null) as { keys?: { id: string }[] } | null ?? { keys: [] };
      doc.keys ??= [];
      if (doc.keys.some((k) => k.id === values.id)) throw new UsageError(`\`${values.file}\` already has a key \`${values.id}\``);
      doc.keys.push(entry);
      writeFileSync(values.file, dump(doc, { lineWidth: -1 }), { mode: 0o600 });
      io.err(`added key \`${values.id}\` (${values.scope.join(', ')}) to ${values.file}; the key itself is shown only now:`);
    } else {
      io.err('add this entry under `keys:` in the key file; the key itself is shown only now:');
      io.err(dump([entry], { lineWidth: -1 }).trimEnd());
    }
    io.out(token);
    return 0;
  },
});
