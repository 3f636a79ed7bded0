/**
 * API keys. A key is `arb_<id>_<64 hex digits>`; the key file stores only its SHA-256 hash, its
 * scopes and, optionally, its own rate. Keys are random 256-bit secrets, so a plain hash is enough
 * (no password stretching is needed), and hashes are compared in constant time.
 *
 * Scopes: `decide:<action>` or `decide:*`, `evaluate`, `review:<queue>` or `review:*`, `read`,
 * `deliveries` (the outbox and its dead letters: list, replay, purge), `exceptions` (grant, list and
 * revoke exceptions through the gate), and `admin`, which allows
 * everything.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CORE_SCHEMA, load } from 'js-yaml';

export interface Rate { perSecond: number; burst: number }
export interface ApiKey { id: string; hash: string; scopes: string[]; rate?: Rate }

const ID = /^[a-z0-9-]{1,64}$/;
const SCOPE = /^(admin|read|evaluate|deliveries|exceptions|decide:(\*|[a-z][a-z0-9_]*)|review:(\*|[A-Za-z0-9_.-]+))$/;
const TOKEN = /^arb_([a-z0-9-]{1,64})_([0-9a-f]{64})$/;

export const hashKey = (token: string) => createHash('sha256').update(token).digest('hex');

export function generateKey(id: string): string {
  if (!ID.test(id)) throw new Error(`a key id is 1–64 lowercase letters, digits and dashes, not \`${id}\``);
  return `arb_${id}_${randomBytes(32).toString('hex')}`;
}

const RECENT = 1024;

export class KeyRing {
  private readonly byId = new Map<string, ApiKey>();
  /** keys recently proven, so a busy caller's key is hashed once, not per request */
  private readonly recent = new Map<string, ApiKey>();

  constructor(keys: readonly ApiKey[]) {
    for (const k of keys) {
      if (!ID.test(k.id)) throw new Error(`key id \`${k.id}\` must be 1–64 lowercase letters, digits and dashes`);
      if (this.byId.has(k.id)) throw new Error(`key id \`${k.id}\` appears twice`);
      if (!/^[0-9a-f]{64}$/.test(k.hash)) throw new Error(`key \`${k.id}\` needs \`hash\`: the SHA-256 of the key in hex (arbiter keys create prints it)`);
      const bad = k.scopes.find((s) => !SCOPE.test(s));
      if (bad !== undefined) throw new Error(`key \`${k.id}\` has scope \`${bad}\`; scopes are admin, read, evaluate, deliveries, exceptions, decide:<action|*>, review:<queue|*>`);
      this.byId.set(k.id, k);
    }
  }

  /** Reads a key file (YAML or JSON): `{ keys: [{ id, hash, scopes, rate?: { per_second, burst } }] }`. */
  static fromFile(path: string): KeyRing {
    const doc = load(readFileSync(path, 'utf8'), { schema: CORE_SCHEMA }) as { keys?: { id: string; hash: string; scopes: string[]; rate?: { per_second: number; burst: number } }[] } | null;
    if (!doc || !Array.isArray(doc.keys)) throw new Error(`\`${path}\` must hold \`keys:\`, a list of { id, hash, scopes }`);
    return new KeyRing(doc.keys.map((k) => ({
      id: String(k.id), hash: String(k.hash).replace(/^sha256:/, ''), scopes: Array.isArray(k.scopes) ? k.scopes.map(String) : [],
      ...(k.rate ? { rate: { perSecond: Number(k.rate.per_second), burst: Number(k.rate.burst ?? k.rate.per_second) } } : {}),
    })));
  }

  get size(): number {
    return this.byId.size;
  }

  authenticate(token: string): ApiKey | undefined {
    const known = this.recent.get(token);
    if (known) return known;
    const m = TOKEN.exec(token);
    const key = m && this.byId.get(m[1]!);
    if (!key || !timingSafeEqual(Buffer.from(hashKey(token), 'hex'), Buffer.from(key.hash, 'hex'))) return undefined;
    if (this.recent.size >= RECENT) this.recent.clear();
    this.recent.set(token, key);
    return key;
  }
}

export function allows(key: ApiKey, needed: string): boolean {
  for (const s of key.scopes) {
    if (s === 'admin' || s === needed) return true;
    if (s.endsWith(':*') && needed.startsWith(s.slice(0, -1))) return true;
  }
  return false;
}
