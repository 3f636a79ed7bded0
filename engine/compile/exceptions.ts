/**
 * Compiles an action's exceptions: each names rules of that action only (a misspelt or removed
 * rule is `unknown_rule`, with the nearest id), its condition is checked against the action's
 * contracts like a rule's, and its expiry is an exact instant, compared with the decision's `now`.
 */
import type { ExceptionFileAst } from '../ast/types.js';
import { didYouMean, type Diagnostics, type SourceLoc } from '../errors.js';
import { parseInstant } from '../values/time.js';
import { resolveCondition } from './conditions.js';
import type { Exception, Rule } from './ir.js';
import type { Scope } from './scope.js';

export function compileExceptions(action: string, files: readonly ExceptionFileAst[], rules: readonly Rule[], offset: number, at: (who: string) => Scope, diags: Diagnostics): Exception[] {
  const byId = new Map(rules.map((r) => [r.id, r.index]));
  const seen = new Map<string, SourceLoc>();
  const out: Exception[] = [];
  for (const file of files) {
    for (const x of file.exceptions) {
      const first = seen.get(x.id);
      if (first) {
        diags.error('duplicate_id', `exception id \`${x.id}\` is already used at ${first.file}:${first.line}:${first.col}`, x.loc);
        continue;
      }
      seen.set(x.id, x.loc);
      const relaxes: number[] = [];
      for (const r of x.relaxes) {
        const index = byId.get(r.id);
        if (index !== undefined) { relaxes.push(index); continue; }
        const hint = didYouMean(r.id, byId.keys());
        diags.error('unknown_rule', `exception \`${x.id}\` relaxes rule \`${r.id}\`, which action \`${action}\` does not define`, r.loc,
          hint ? `did you mean \`${hint}\`?` : `the rules of \`${action}\` are ${[...byId.keys()].map((id) => `\`${id}\``).join(', ') || 'none'}`);
      }
      const expires = parseInstant(x.expires.text);
      if (!expires) diags.error('invalid_literal', `exception \`${x.id}\` expires at \`${x.expires.text}\`, which is not an RFC 3339 date-time`, x.expires.loc, 'write an instant such as `2026-12-31T23:59:59Z`');
      const when = resolveCondition(x.when, at(`exception \`${x.id}\``));
      if (!when || !expires || relaxes.length !== x.relaxes.length) continue;
      out.push({
        id: x.id, index: offset + out.length, relaxes: [...new Set(relaxes)], when, expires, expiresText: x.expires.text,
        owner: x.owner, grantedBy: x.grantedBy, ticket: x.ticket, reason: x.reason, loc: x.loc, file: file.path,
      });
    }
  }
  return out;
}
