/**
 * HTTP/1.1 over a bare socket, for inputs a well-behaved client cannot send: malformed framing,
 * CRLF in headers, pipelined garbage, bodies sent slowly or not at all. It reads until the server
 * closes the connection, and fails (instead of hanging) when that takes longer than `timeoutMs`.
 */
import { connect } from 'node:net';

export interface RawResponse { status: number; headers: Record<string, string>; body: string }
export interface RawExchange { responses: RawResponse[]; error: string | undefined; timedOut: boolean }

/** Sends `parts` in order (each written after the previous one drained) and collects the answers. */
export function rawExchange(port: number, parts: readonly Buffer[], options: { timeoutMs?: number; halfClose?: boolean } = {}): Promise<RawExchange> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let error: string | undefined;
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; socket.destroy(); }, options.timeoutMs ?? 20_000);
    let i = 0;
    const pump = () => {
      while (i < parts.length && !socket.destroyed) {
        if (!socket.write(parts[i++]!)) { socket.once('drain', pump); return; }
      }
      if (options.halfClose && !socket.destroyed) socket.end();
    };
    socket.on('connect', pump);
    socket.on('data', (b: Buffer) => chunks.push(b));
    socket.on('error', (e: NodeJS.ErrnoException) => { error = e.code; });
    socket.on('close', () => { clearTimeout(timer); done({ responses: parseResponses(Buffer.concat(chunks)), error, timedOut }); });
  });
}

/** Splits what came back into responses (Content-Length or chunked bodies; the rest for one without either). */
export function parseResponses(all: Buffer): RawResponse[] {
  const out: RawResponse[] = [];
  let at = 0;
  while (at < all.length) {
    const end = all.indexOf('\r\n\r\n', at);
    if (end < 0) break;
    const [line, ...fields] = all.subarray(at, end).toString('latin1').split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(line!);
    if (!m) break;
    const headers: Record<string, string> = {};
    for (const f of fields) { const c = f.indexOf(':'); headers[f.slice(0, c).trim().toLowerCase()] = f.slice(c + 1).trim(); }
    let bodyStart = end + 4;
    let body: Buffer;
    if (Number(m[1]) < 200) {
      body = Buffer.alloc(0);
    } else if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
      const pieces: Buffer[] = [];
      for (;;) {
        const eol = all.indexOf('\r\n', bodyStart);
        if (eol < 0) { bodyStart = all.length; break; }
        const size = parseInt(all.subarray(bodyStart, eol).toString('latin1'), 16);
        bodyStart = eol + 2;
        if (!size) { bodyStart += 2; break; }
        pieces.push(all.subarray(bodyStart, bodyStart + size));
        bodyStart += size + 2;
      }
      body = Buffer.concat(pieces);
    } else if (headers['content-length'] !== undefined) {
      body = all.subarray(bodyStart, bodyStart + Number(headers['content-length']));
      bodyStart += body.length;
    } else {
      body = all.subarray(bodyStart);
      bodyStart = all.length;
    }
    out.push({ status: Number(m[1]), headers, body: body.toString('utf8') });
    at = bodyStart;
  }
  return out;
}
