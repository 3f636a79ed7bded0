/**
 * Reading JSON bodies from untrusted callers.
 *
 * - A leading UTF-8 byte-order mark is removed (RFC 8259 allows a reader to ignore it).
 * - A duplicate member name anywhere is rejected: parsers disagree on which one wins, and a
 *   policy gate must not see a different proposal than the service that acts on it.
 * - Nesting depth and string length are limited.
 * - `__proto__`, `constructor` and `prototype` stay plain data: JSON.parse defines them as own
 *   properties, and the engine reads only own properties, so nothing reaches a prototype.
 * A structural scan checks the limits and duplicates; JSON.parse then builds the value.
 */
import { HttpError } from './errors.js';

export interface JsonLimits { maxDepth: number; maxStringLength: number }

export function parseJsonBody(raw: string, limits: JsonLimits): unknown {
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  scan(text, limits);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HttpError('malformed_json', `the body is not valid JSON: ${(e as Error).message.replace(/^Unexpected/, 'unexpected')}`);
  }
}

/** Walks strings and brackets only; malformed input is left for JSON.parse to report. */
function scan(t: string, { maxDepth, maxStringLength }: JsonLimits): void {
  const keys: (Set<string> | null)[] = [];
  const n = t.length;
  let expectKey = false;
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i + 1;
      let escaped = false;
      for (i = start; i < n; i++) {
        const d = t.charCodeAt(i);
        if (d === 0x5c /* \ */) { escaped = true; i++; } else if (d === 0x22) break;
      }
      if (i - start > maxStringLength) throw new HttpError('malformed_json', `a string at offset ${start - 1} is longer than the limit of ${maxStringLength} characters`);
      const top = keys.length ? keys[keys.length - 1] : null;
      if (expectKey && top) {
        let key = t.slice(start, i);
        if (escaped) { try { key = JSON.parse(`"${key}"`) as string; } catch { return; } }
        if (top.has(key)) throw new HttpError('malformed_json', `member \`${key}\` appears twice in one object (offset ${start - 1})`, undefined);
        top.add(key);
        expectKey = false;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (keys.length >= maxDepth) throw new HttpError('malformed_json', `the body is nested deeper than the limit of ${maxDepth} levels`);
      keys.push(c === 0x7b ? new Set() : null);
      expectKey = c === 0x7b;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      keys.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      expectKey = keys.length > 0 && keys[keys.length - 1] !== null;
    }
  }
}
