/**
 * Signing and verifying webhook deliveries (the package export `arbiter/webhook`).
 *
 * `Arbiter-Signature: t=<unix seconds>,v1=<hex>`, where the hex is HMAC-SHA256 with the shared
 * secret over `<t>.<raw body>`, as Stripe signs. The timestamp is signed with the body, so a
 * captured request cannot be sent again later with a fresh one; a receiver refuses any whose
 * timestamp is more than five minutes from its own clock (the replay window), and deduplicates
 * what remains by `Idempotency-Key`, the decision id, since a retry is a new signature over the
 * same body. Several `v1=` values may appear while a secret is being rotated; any one may match.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'arbiter-signature';
/** How far a signature's timestamp may be from the receiver's clock, seconds. */
export const REPLAY_WINDOW_SECONDS = 300;

export function signature(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The header value for `body` signed at `timestamp` (unix seconds). */
export function signWebhook(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${signature(secret, timestamp, body)}`;
}

export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export type Verified =
  | { ok: true; timestamp: number; idempotencyKey: string | undefined }
  | { ok: false; reason: 'missing_signature' | 'malformed_signature' | 'stale_timestamp' | 'bad_signature'; message: string };

export interface VerifyOptions {
  /** the receiver's clock, unix seconds; default now */
  now?: number;
  toleranceSeconds?: number;
}

/**
 * Checks a delivery as received: `body` is the raw request body (the exact bytes, as a string or
 * Buffer; parse the JSON only after this returns ok).
 */
export function verifyWebhook(secret: string, headers: WebhookHeaders, body: string | Buffer, options: VerifyOptions = {}): Verified {
  const header = read(headers, SIGNATURE_HEADER);
  if (!header) return { ok: false, reason: 'missing_signature', message: `no \`Arbiter-Signature\` header` };
  let t: number | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const [k, v] = part.trim().split('=', 2);
    if (k === 't' && v && /^\d{1,12}$/.test(v)) t = Number(v);
    else if (k === 'v1' && v && /^[0-9a-f]{64}$/.test(v)) v1.push(v);
  }
  if (t === undefined || v1.length === 0) return { ok: false, reason: 'malformed_signature', message: '`Arbiter-Signature` is `t=<unix seconds>,v1=<64 hex digits>`' };
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const tolerance = options.toleranceSeconds ?? REPLAY_WINDOW_SECONDS;
  if (Math.abs(now - t) > tolerance) return { ok: false, reason: 'stale_timestamp', message: `the signature's timestamp is ${Math.abs(now - t)} s from this clock; at most ${tolerance} s are accepted` };
  const expected = Buffer.from(signature(secret, t, typeof body === 'string' ? body : body.toString('utf8')), 'hex');
  if (!v1.some((v) => timingSafeEqual(Buffer.from(v, 'hex'), expected))) return { ok: false, reason: 'bad_signature', message: 'the signature does not match the body: it was changed, or signed with another secret' };
  return { ok: true, timestamp: t, idempotencyKey: read(headers, 'idempotency-key') };
}

function read(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const h = headers as Record<string, string | string[] | undefined>;
  const v = h[name] ?? Object.entries(h).find(([k]) => k.toLowerCase() === name)?.[1];
  return Array.isArray(v) ? v[0] : v;
}
