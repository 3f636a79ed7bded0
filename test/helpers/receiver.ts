/** A webhook receiver for tests: answers each request with the next planned status (then the last one), and keeps what it got. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received { body: string; headers: Record<string, string | string[] | undefined>; answered: number | 'held' }

export interface Receiver {
  url: string;
  got: Received[];
  /** requests answered 2xx */
  acked(): Received[];
  close(): Promise<void>;
}

/** `plan`: statuses in order, the last repeating; `'hold'` never answers (until close). */
export async function startReceiver(plan: (number | 'hold')[]): Promise<Receiver> {
  const got: Received[] = [];
  const held: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const step = plan[Math.min(got.length, plan.length - 1)]!;
      got.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers, answered: step === 'hold' ? 'held' : step });
      if (step === 'hold') { held.push(() => res.destroy()); return; }
      res.writeHead(step, { 'content-type': 'text/plain' }).end(step < 300 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`, got,
    acked: () => got.filter((g) => typeof g.answered === 'number' && g.answered < 300),
    close: () => new Promise<void>((ok) => { for (const h of held) h(); server.closeAllConnections(); server.close(() => ok()); }),
  };
}
