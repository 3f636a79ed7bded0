/** `arbiter check`: compile everything, print every diagnostic, exit 1 on any error. */
import { formatDiagnostic } from '../../engine/index.js';
import { command } from '../command.js';
import { diagnosticAnnotation } from '../github.js';
import { compileDir } from '../io.js';
import { DIR } from '../options.js';

export const check = command({
  name: 'check',
  about: 'compile the policy and prove its contract upgrades; print every error and warning; exit 1 on any error',
  options: {
    dir: DIR,
    format: { type: 'string', choices: ['text', 'json', 'github'], default: 'text', help: '`text` for people, `json` for tools, `github` for annotations in GitHub Actions' },
  },
  examples: ['arbiter check', 'arbiter check --dir policies --format json'],
  run(values, _positionals, io) {
    const { format } = values;
    const { result } = compileDir(values.dir);
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = result.diagnostics.length - errors;
    if (format === 'json') {
      io.out(JSON.stringify({ ok: result.ok, revision: result.ok ? result.policy.revision : null, diagnostics: result.diagnostics }, null, 2));
      return result.ok ? 0 : 1;
    }
    for (const d of result.diagnostics) {
      if (format === 'github') io.out(diagnosticAnnotation(d));
      else io.err(formatDiagnostic(d));
    }
    if (result.ok) {
      const actions = [...result.policy.actions.values()];
      const rules = actions.reduce((n, a) => n + a.rules.length, 0);
      io.out(`ok: ${actions.length} action${actions.length === 1 ? '' : 's'}, ${rules} rules, revision ${result.policy.revision}${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}`);
      return 0;
    }
    io.err(`${errors} error${errors === 1 ? '' : 's'}${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}`);
    return 1;
  },
});
