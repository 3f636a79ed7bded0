/**
 * ASCII case folding: `A`–`Z` and `a`–`z` only. Identifiers whose standards compare them
 * ASCII-case-insensitively (DNS names and so e-mail domains, RFC 4343; UUIDs, RFC 9562; hex
 * digests) must not fold other letters: Unicode lower-casing turns the Kelvin sign `K` (U+212A)
 * into `k`, so `\u212Aelvin.example` would pass for `kelvin.example`.
 */
const UPPER = /[A-Z]+/g;
const LOWER = /[a-z]+/g;

export const asciiLowercase = (s: string): string => s.replace(UPPER, (m) => m.toLowerCase());
export const asciiUppercase = (s: string): string => s.replace(LOWER, (m) => m.toUpperCase());
