/**
 * Canonical JSON: object members sorted by key, no whitespace, numbers in their shortest form.
 * Two documents that differ only in member order, spacing or number spelling (`1.0` vs `1`)
 * have the same canonical text, and so the same hash.
 */
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('non-finite numbers have no JSON form');
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) {
    let s = '[';
    for (let i = 0; i < value.length; i++) s += (i ? ',' : '') + (value[i] === undefined ? 'null' : canonicalJson(value[i]));
    return `${s}]`;
  }
  if (value instanceof Map) return canonicalJson(Object.fromEntries(value));
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  let s = '{';
  let first = true;
  for (const k of keys) {
    const v = o[k];
    if (v === undefined) continue;
    s += `${first ? '' : ','}${JSON.stringify(k)}:${canonicalJson(v)}`;
    first = false;
  }
  return `${s}}`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * SHA-256 of the canonical JSON of `value`, written to the hash piece by piece instead of built as
 * one string; members named in `skip` are left out at every depth.
 */
export function canonicalHash(value: unknown, skip: ReadonlySet<string> = new Set()): string {
  const hash = createHash('sha256');
  let buf = '';
  // Many small update() calls cost more than hashing; text is passed on in pieces of about 64 KB.
  const out = (s: string) => {
    buf += s;
    if (buf.length > 65_536) { hash.update(buf); buf = ''; }
  };
  const write = (v: unknown): void => {
    if (v instanceof Map) v = Object.fromEntries(v);
    if (v === null || typeof v !== 'object') return out(canonicalJson(v));
    if (Array.isArray(v)) {
      out('[');
      for (let i = 0; i < v.length; i++) { if (i) out(','); write(v[i] === undefined ? null : v[i]); }
      return out(']');
    }
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined && typeof o[k] !== 'function' && !skip.has(k)).sort();
    out('{');
    for (let i = 0; i < keys.length; i++) { out(`${i ? ',' : ''}${JSON.stringify(keys[i])}:`); write(o[keys[i]!]); }
    out('}');
  };
  write(value);
  hash.update(buf);
  return hash.digest('hex');
}
