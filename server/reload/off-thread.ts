/**
 * Reading, compiling and testing a candidate policy in a worker thread, so the gate's event loop
 * keeps answering while it runs (recheck's ReDoS analysis alone takes seconds for a hundred
 * patterns). One worker per reload: reloads are rare, and a worker that ends takes its memory
 * with it.
 */
import { Worker } from 'node:worker_threads';
import { failedToRead, type CheckOptions, type Verdict } from './candidate.js';

export function checkOffThread(dir: string, settleMs: number, options: CheckOptions, script = new URL('./thread.js', import.meta.url)): Promise<Verdict> {
  return new Promise((resolve) => {
    const worker = new Worker(script, { workerData: { dir, settleMs, options } });
    let answered = false;
    worker.once('message', (v: Verdict) => {
      answered = true;
      resolve(v);
      void worker.terminate();
    });
    worker.once('error', (e) => { answered = true; resolve(failedToRead(e)); });
    worker.once('exit', (code) => { if (!answered) resolve(failedToRead(new Error(`the reload worker exited with code ${code} before answering`))); });
  });
}
