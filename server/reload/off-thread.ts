/**
 * Reading, compiling and testing a candidate policy in a worker thread, so the gate's event loop
 * keeps answering while it runs (recheck's ReDoS analysis alone takes seconds for a hundred
 * patterns, a compile of 5,000 rules about half a second). The worker sends the compiled policy
 * as data (engine/compile/transfer.ts); this thread only rebuilds from it what cannot be sent:
 * operator references, exact numbers, the contracts' ajv validators and the generated functions.
 * One worker per reload: reloads are rare, and a worker that ends takes its memory with it.
 */
import { Worker } from 'node:worker_threads';
import type { GrantedFile } from '../../engine/index.js';
import { fromPortable, type PortablePolicy } from '../../engine/internal.js';
import { failedToRead, type Checked, type CheckOptions, type Verdict } from './candidate.js';

/** The worker's message: the verdict, and the policy to serve when it is ok. */
export interface Sent { verdict: Verdict; policy?: PortablePolicy }

/** `granted`: the exceptions granted through the gate, compiled with the files (gate/exceptions.ts). */
export function checkOffThread(dir: string, settleMs: number, options: CheckOptions, granted: readonly GrantedFile[] = [], script = new URL('./thread.js', import.meta.url)): Promise<Checked> {
  return new Promise((resolve) => {
    const worker = new Worker(script, { workerData: { dir, settleMs, options, granted } });
    let answered = false;
    worker.once('message', (m: Sent) => {
      answered = true;
      void worker.terminate();
      resolve(received(m));
    });
    worker.once('error', (e) => { answered = true; resolve({ verdict: failedToRead(e) }); });
    worker.once('exit', (code) => { if (!answered) resolve({ verdict: failedToRead(new Error(`the reload worker exited with code ${code} before answering`)) }); });
  });
}

function received({ verdict, policy }: Sent): Checked {
  if (!policy) return { verdict };
  try {
    return { verdict, policy: fromPortable(policy) };
  } catch (e) {
    return { verdict: { ...verdict, ok: false, stage: 'error', errors: [`the checked policy could not be rebuilt for serving: ${(e as Error).message}`] } };
  }
}
