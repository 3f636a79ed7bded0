/**
 * A decision's final state for `GET /v1/decisions/:id`: its review, if it went to one, and the
 * outcome to act on. With `?wait=N` (seconds, at most 60) the answer waits until a pending review
 * is decided, or N seconds pass.
 */
import type { DecisionRecord } from '../../adapters/stores/store.js';
import type { Review } from '../../gate/ports.js';
import { finalOf, type Final } from '../../gate/reviews.js';
import type { GateDeps } from '../context.js';
import { HttpError } from '../errors.js';

const MAX_WAIT_S = 60;

export async function decisionStatus(deps: GateDeps, record: DecisionRecord, wait: string | undefined): Promise<{ review?: Review; final: Final }> {
  if (wait !== undefined && !/^[0-9]{1,2}$/.test(wait)) throw new HttpError('invalid_request', `\`wait\` is a whole number of seconds, 0 to ${MAX_WAIT_S}`);
  const until = performance.now() + Math.min(Number(wait ?? 0), MAX_WAIT_S) * 1000;
  const read = async () => (record.decision.outcome === 'review' ? deps.store.review(record.id) : undefined);
  let review = await read();
  while (deps.watch && review?.status === 'pending' && performance.now() < until) {
    await deps.watch!.wait(record.id, until - performance.now());
    review = await read();
  }
  return { ...(review ? { review } : {}), final: finalOf({ outcome: record.decision.outcome, recordedAt: record.recordedAt }, review) };
}
