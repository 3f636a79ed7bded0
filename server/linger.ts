/**
 * Closing a connection whose request body the gate will not read (a 413), so that the answer
 * reaches the client. Node ends a `Connection: close` response with `socket.destroySoon()`, which
 * closes the socket while the client may still be sending; the kernel then answers the unread
 * bytes with a reset, and a client that has not yet read the 413 loses it. As RFC 9112 §9.6 asks,
 * the gate instead closes its sending side once the response is written, keeps reading (and
 * discarding) for a bounded time, and only then closes.
 */
import type { IncomingMessage } from 'node:http';

/** how long a refused body is drained after the response, at most */
export const LINGER_MS = 2000;

export function lingerAfterResponse(incoming: IncomingMessage): void {
  const socket = incoming.socket;
  let lingering = false;
  incoming.resume();
  socket.destroySoon = () => {
    if (lingering) return;
    lingering = true;
    socket.end();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  };
}
