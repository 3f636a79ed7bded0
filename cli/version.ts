/** The version of the installed package, from its package.json (two levels above dist/cli/, one above cli/). */
import { readFileSync } from 'node:fs';

export function version(): string {
  for (const up of ['../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'arbiter-gate' && pkg.version) return pkg.version;
    } catch {
      // not at this level
    }
  }
  throw new Error('the package.json of arbiter-gate is not where it should be');
}
