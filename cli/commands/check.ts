/** `arbiter check [--dir D] [--format text|json]`: compile everything, print every diagnostic, exit 1 on any error. */
import { formatDiagnostic } from '../../engine/index.js';
import { choice, parse } from '../args.js';
import { compileDir, type Io } from '../io.js';

export const usage = 'arbiter check [--dir D] [--format text|json]';

export function check(argv: string[], io: Io): number {
  const { values } = parse(argv, { dir: { type: 'string', default: '.' }, format: { type: 'string' } });
  const format = choice(values.format, 'format', ['text', 'json'] as const, 'text');
  const { result } = compileDir(values.dir);
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = result.diagnostics.length - errors;
  if (format === 'json') {
    io.out(JSON.stringify({ ok: result.ok, revision: result.ok ? result.policy.revision : null, diagnostics: result.diagnostics }, null, 2));
    return result.ok ? 0 : 1;
  }
  for (const d of result.diagnostics) io.err(formatDiagnostic(d));
  if (result.ok) {
    const actions = [...result.policy.actions.values()];
    const rules = actions.reduce((n, a) => n + a.rules.length, 0);
    io.out(`ok: ${actions.length} action${actions.length === 1 ? '' : 's'}, ${rules} rules, revision ${result.policy.revision}${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}`);
    return 0;
  }
  io.err(`${errors} error${errors === 1 ? '' : 's'}${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}`);
  return 1;
}
