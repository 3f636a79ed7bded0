/** Comparing a doc's shown answers with real ones: what differs from run to run is masked, and an id shown twice must be one id twice. */
import { expect } from 'vitest';

export const ID = /\b0[0-9a-f]{7}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}\b/g;

/** Masks what differs from run to run. */
export function volatile(s: string): string {
  return s.replace(/sha256:[0-9a-f]{12,64}…?/g, 'REVISION').replace(/arb_(dev|reviewer)_[0-9a-f]{64}/g, 'KEY')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, 'TIME').trim();
}

/** `actual` with each decision id replaced by the id the docs show in its place. */
export function sameIds(actual: string, shown: string, ids: Map<string, string>): string {
  const shownIds = shown.match(ID) ?? [];
  let n = 0;
  return actual.replace(ID, (id) => {
    const want = shownIds[n++];
    if (want === undefined) return id;
    // One id shown for one id answered, both ways round.
    if (!ids.has(want) && ![...ids.values()].includes(id)) ids.set(want, id);
    return ids.get(want) === id ? want : `${id} (the docs show ${want})`;
  });
}

/** `actual` matches `shown`: the same members (all of them unless abridged; below the top too when `deep`), with volatile values masked. */
export function like(shown: unknown, actual: unknown, ids: Map<string, string>, exact: boolean, where: string, deep = false): void {
  if (typeof shown === 'string' && typeof actual === 'string' && new RegExp(ID.source).test(shown)) {
    expect(sameIds(actual, shown, ids), where).toBe(shown);
  } else if (typeof shown === 'string' && typeof actual === 'string') {
    expect(volatile(actual), where).toBe(volatile(shown));
  } else if (Array.isArray(shown)) {
    expect(Array.isArray(actual) && actual.length, where).toBe(shown.length);
    shown.forEach((s, i) => like(s, (actual as unknown[])[i], ids, !deep || exact, where, deep));
  } else if (shown && typeof shown === 'object') {
    expect(actual, where).toBeTypeOf('object');
    const a = actual as Record<string, unknown>;
    if (exact) expect(Object.keys(a).sort(), where).toEqual(Object.keys(shown).sort());
    for (const [k, v] of Object.entries(shown)) like(v, a[k], ids, !deep || exact, `${where} /${k}`, deep);
  } else {
    expect(actual, where).toEqual(shown);
  }
}

