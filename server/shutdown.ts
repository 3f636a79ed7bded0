/**
 * Closing the listening server under load. `server.close()` alone waits for every connection to
 * end, and a caller that keeps sending on a kept-alive connection keeps it open, and the gate
 * deciding, for as long as it likes. So once shutdown begins: no new connections; every response
 * not yet started (in flight, or on a connection that sends another request) is sent with
 * `Connection: close`, so each connection ends after its answer; idle connections close at once;
 * and whatever is still open after the deadline is closed.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** how long connections may stay open after shutdown begins */
export const DRAIN_DEADLINE_MS = 5000;

export interface Drain {
  /** Stops accepting and closes every connection within `deadlineMs`; resolves when all are closed. */
  close(deadlineMs?: number): Promise<void>;
}

export function drainable(server: Server): Drain {
  // The response each connection is on; one Map write per request.
  const current = new Map<Socket, ServerResponse>();
  let closing = false;
  server.on('connection', (socket: Socket) => socket.once('close', () => current.delete(socket)));
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    if (closing) res.shouldKeepAlive = false;
    else current.set(req.socket, res);
  });
  return {
    close(deadlineMs = DRAIN_DEADLINE_MS) {
      closing = true;
      for (const res of current.values()) if (!res.headersSent) res.shouldKeepAlive = false;
      current.clear();
      return new Promise((done) => {
        const timer = setTimeout(() => server.closeAllConnections(), deadlineMs);
        timer.unref();
        server.close(() => { clearTimeout(timer); done(); });
        server.closeIdleConnections();
      });
    },
  };
}
