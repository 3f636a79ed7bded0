/**
 * Reading JSON bodies from untrusted callers.
 *
 * - The bytes are decoded as UTF-8 strictly: a lossy decoder turns different invalid bytes into the
 *   same U+FFFD, so the gate would judge (and hash, for idempotency) text the caller never sent.
 * - One leading byte-order mark is removed (RFC 8259 allows a reader to ignore it); a second one
 *   is a character JSON does not allow there.
 * - A duplicate member name anywhere is rejected: parsers disagree on which one wins, and a
 *   policy gate must not see a different proposal than the service that acts on it.
 * - A number that a double cannot hold (`1e309`) is rejected: JSON.parse would make it Infinity,
 *   which has no JSON form, so the proposal could be neither hashed nor recorded as sent.
 * - Nesting depth and string length are limited, each with its own code.
 * - `__proto__`, `constructor` and `prototype` stay plain data: JSON.parse defines them as own
 *   properties, and the engine reads only own properties, so nothing reaches a prototype.
 * A structural scan checks the limits, numbers and duplicates; JSON.parse then builds the value.
 */
import { HttpError } from './errors.js';

export interface JsonLimits { maxDepth: number; maxStringLength: number }

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The body's text; invalid UTF-8 (overlong forms, surrogates, stray bytes) is refused. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new HttpError('malformed_json', 'the body is not valid UTF-8');
  }
}

/** The body's JSON text: without one leading byte-order mark. */
export function stripBom(raw: string): string {
  return raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
}

export function parseJsonBody(raw: string, limits: JsonLimits): unknown {
  const text = stripBom(raw);
  scan(text, limits);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HttpError('malformed_json', `the body is not valid JSON: ${(e as Error).message.replace(/^Unexpected/, 'unexpected')}`);
  }
}

const isNumberChar = (d: number) => (d >= 0x30 && d <= 0x39) || d === 0x2b || d === 0x2d || d === 0x2e || d === 0x45 || d === 0x65;

/** Walks strings, brackets and numbers only; malformed input is left for JSON.parse to report. */
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
      if (i - start > maxStringLength) throw new HttpError('string_too_long', `a string at offset ${start - 1} is longer than the limit of ${maxStringLength} characters`);
      const top = keys.length ? keys[keys.length - 1] : null;
      if (expectKey && top) {
        let key = t.slice(start, i);
        if (escaped) { try { key = JSON.parse(`"${key}"`) as string; } catch { return; } }
        if (top.has(key)) throw new HttpError('malformed_json', `member \`${key}\` appears twice in one object (offset ${start - 1})`, undefined);
        top.add(key);
        expectKey = false;
      }
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      let exponent = false;
      while (i + 1 < n && isNumberChar(t.charCodeAt(i + 1))) { i++; if ((t.charCodeAt(i) | 0x20) === 0x65) exponent = true; }
      // Only an exponent or more than 308 digits can leave a double's range.
      if (exponent || i - start > 300) checkFinite(t.slice(start, i + 1), start);
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (keys.length >= maxDepth) throw new HttpError('nesting_too_deep', `the body is nested deeper than the limit of ${maxDepth} levels`);
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

function checkFinite(token: string, offset: number): void {
  const v = Number(token);
  if (v === Infinity || v === -Infinity) {
    const shown = token.length > 40 ? `${token.slice(0, 20)}…` : token;
    throw new HttpError('number_out_of_range', `the number \`${shown}\` at offset ${offset} is beyond the range of a double (about ±1.8e308)`);
  }
}
