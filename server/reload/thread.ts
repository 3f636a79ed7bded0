/** The worker side of checkOffThread: reads the policy files once they settle, compiles and tests them. */
import { parentPort, workerData } from 'node:worker_threads';
import { loadSettledPolicyFiles } from '../../adapters/loaders/fs.js';
import { checkCandidate, failedToRead, type CheckOptions, type Verdict } from './candidate.js';

const { dir, settleMs, options } = workerData as { dir: string; settleMs: number; options: CheckOptions };

loadSettledPolicyFiles(dir, settleMs)
  .then((files): Verdict => checkCandidate(files, options).verdict, failedToRead)
  .then((v) => parentPort!.postMessage(v), (e: unknown) => parentPort!.postMessage(failedToRead(e)));
