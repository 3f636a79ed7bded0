/**
 * Decision ids: UUID version 7 (RFC 9562), time-ordered so ids sort by creation. The random bits
 * come from randomUUID(), which draws from a cached pool of entropy.
 */
import { randomUUID } from 'node:crypto';

export function uuidv7(now = Date.now()): string {
  const r = randomUUID();
  const t = now.toString(16).padStart(12, '0');
  // randomUUID() is v4: keep its random bits and variant, put the time first and the version 7.
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${r.slice(15, 18)}-${r.slice(19)}`;
}
