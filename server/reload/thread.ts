/**
 * The worker side of checkOffThread: reads the policy files once they settle, compiles and tests
 * them, and sends the verdict with the policy in its portable form.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadSettledPolicyFiles } from '../../adapters/loaders/fs.js';
import type { GrantedFile } from '../../engine/index.js';
import { toPortable } from '../../engine/internal.js';
import { checkCandidate, failedToRead, type CheckOptions } from './candidate.js';
import type { Sent } from './off-thread.js';

const { dir, settleMs, options, granted } = workerData as { dir: string; settleMs: number; options: CheckOptions; granted: GrantedFile[] };

loadSettledPolicyFiles(dir, settleMs)
  .then((files): Sent => {
    const { verdict, policy } = checkCandidate(files, options, granted);
    return { verdict, ...(policy ? { policy: toPortable(policy) } : {}) };
  }, (e: unknown): Sent => ({ verdict: failedToRead(e) }))
  .then((m) => parentPort!.postMessage(m), (e: unknown) => parentPort!.postMessage({ verdict: failedToRead(e) } satisfies Sent));
