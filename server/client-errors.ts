/**
 * Answering what Node's HTTP parser refuses: malformed framing, CRLF and smuggling games, bytes
 * that are not HTTP, headers over the size limit, pipelined garbage behind a good request.
 *
 * Node's own answer writes a bare `400 Bad Request` and destroys the connection at once, with it
 * any response still being written for an earlier request on that connection. A client whose
 * decision was recorded then read a 400 in place of its decision, as if it had been refused. Here
 * the response in flight finishes first; the bad bytes then get an error of the catalogue, in its
 * JSON shape, and the connection closes. A request whose own body is what the parser refused is
 * answered with that error at once, since its handler would wait for the rest of the body forever.
 */
import type { Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { HttpError, type HttpErrorCode } from './errors.js';

function errorFor(e: NodeJS.ErrnoException): HttpError {
  const code: HttpErrorCode = e.code === 'HPE_HEADER_OVERFLOW' ? 'headers_too_large' : e.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'request_timeout' : 'malformed_request';
  const message = code === 'headers_too_large' ? 'the request line and headers are larger than the server accepts'
    : code === 'request_timeout' ? 'the request was not received in time' : `the request is not valid HTTP/1.1 (${e.code ?? 'parse error'})`;
  return new HttpError(code, message);
}

export function answerClientErrors(server: Server): void {
  server.on('clientError', (e: NodeJS.ErrnoException, socket: Duplex) => {
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
    const answer = () => {
      if (!socket.writable) { socket.destroy(); return; }
      const error = errorFor(e);
      const body = JSON.stringify(error.body());
      socket.end(`HTTP/1.1 ${error.status} ${error.code}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    };
    // A request whose body the parser gave up on will never complete: answer for it now.
    if (inFlight && !inFlight.req.complete) {
      if (inFlight.headersSent) socket.destroy();
      else answer();
    } else if (inFlight && !inFlight.writableFinished) {
      inFlight.once('finish', answer);
      inFlight.once('close', () => { if (!inFlight.writableFinished) socket.destroy(); });
    } else {
      answer();
    }
  });
}
