/** Reason templates: `"refund {proposal.amount} is more than {context.order.total}"`; `{{` writes a brace. */
import type { Loc } from '../ast/types.js';
import { resolveFact } from './facts.js';
import type { Template } from './ir.js';
import type { Scope } from './scope.js';

const PART = /\{\{|\}\}|\{([^{}]*)\}/g;

export function resolveTemplate(text: string, loc: Loc, s: Scope): Template | undefined {
  const parts: (string | Template[number])[] = [];
  let last = 0;
  let ok = true;
  for (const m of text.matchAll(PART)) {
    parts.push(text.slice(last, m.index));
    last = (m.index ?? 0) + m[0].length;
    if (m[0] === '{{' || m[0] === '}}') { parts.push(m[0][0] as string); continue; }
    const name = (m[1] ?? '').trim();
    const v = resolveFact({ name, loc }, s, 'unknown_placeholder');
    if (!v) {
      ok = false;
      continue;
    }
    parts.push(v);
  }
  parts.push(text.slice(last));
  return ok ? parts.filter((p) => p !== '') : undefined;
}
