/**
 * A 413 reaches the client over a real socket: for a chunked body, and for a large body on
 * `Connection: close`, the gate writes the answer and closes gracefully instead of resetting the
 * connection while the client is still sending. The bundled client does not retry a 413.
 */
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArbiterError, createClient } from '../server/client.js';
import { testGate } from './helpers/gate.js';

const LIMIT = 4096;

interface Exchange { text: string; error: string | undefined }

/**
 * Sends `head`, then `chunks` body pieces as fast as the socket takes them, and collects what
 * comes back until the gate closes the connection. With `readAfterSending`, it reads nothing
 * until it has sent the whole body (as a simple client does), so an answer is lost if the gate
 * resets the connection before then.
 */
function exchange(port: number, head: string, chunk: (i: number) => Buffer, chunks: number, readAfterSending = false): Promise<Exchange> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let error: string | undefined;
    let i = 0;
    const pump = () => {
      while (i < chunks && !socket.destroyed) {
        if (!socket.write(chunk(i++))) { socket.once('drain', pump); return; }
      }
      if (readAfterSending) { socket.end(); socket.resume(); }
    };
    if (readAfterSending) socket.pause();
    socket.on('connect', () => { socket.write(head); pump(); });
    socket.on('data', (b: Buffer) => { text += b.toString('latin1'); });
    socket.on('error', (e: NodeJS.ErrnoException) => { error = e.code; });
    socket.on('close', () => done({ text, error }));
  });
}

describe('413 over a socket', () => {
  const g = testGate({ limits: { bodyBytes: LIMIT } });
  let server: ServerType;
  let port = 0;
  let requests = 0;
  beforeAll(async () => {
    await new Promise<void>((ok) => {
      server = serve({ fetch: (req, env) => { requests++; return g.app.fetch(req, env); }, hostname: '127.0.0.1', port: 0 }, () => ok());
    });
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  const head = (framing: string, connection = 'keep-alive') =>
    `POST /v1/decisions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${g.keys.admin}\r\nContent-Type: application/json\r\nConnection: ${connection}\r\n${framing}\r\n\r\n`;

  it('a chunked body over the limit gets its 413, not a reset', async () => {
    const piece = Buffer.alloc(16 * 1024, 0x20);
    const chunk = (i: number) => Buffer.concat([Buffer.from(i === 0 ? '4000\r\n{"a":"' : '4000\r\n'), piece.subarray(0, i === 0 ? 16 * 1024 - 6 : 16 * 1024), Buffer.from('\r\n')]);
    const r = await exchange(port, head('Transfer-Encoding: chunked'), chunk, 2048);
    expect(r.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(r.text.toLowerCase()).toContain('connection: close');
    expect(r.text).toContain(`{"error":{"code":"payload_too_large","message":"the body is larger than the limit of ${LIMIT} bytes"}}`);
  });

  it('a large body with Content-Length on `Connection: close` gets its 413, not a reset', async () => {
    const piece = Buffer.alloc(64 * 1024, 0x20);
    const r = await exchange(port, head(`Content-Length: ${piece.length * 512}`, 'close'), () => piece, 512, true);
    expect(r.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(r.text).toContain('"code":"payload_too_large"');
  });

  it('a large body with Content-Length on a kept-alive connection gets its 413 and the connection closes', async () => {
    const piece = Buffer.alloc(64 * 1024, 0x20);
    const r = await exchange(port, head(`Content-Length: ${piece.length * 512}`), () => piece, 512);
    expect(r.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(r.text.toLowerCase()).toContain('connection: close');
    expect(r.text).toContain('"code":"payload_too_large"');
  });

  it('the bundled client gets ArbiterError 413 for an oversized body and does not retry it', async () => {
    const before = requests;
    const client = createClient({ url: `http://127.0.0.1:${port}`, key: g.keys.admin, backoffMs: 1 });
    const e = await client.decide({ action: 'refund_order', proposal: { note: 'x'.repeat(4 * 1024 * 1024) } }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ArbiterError);
    expect(e).toMatchObject({ status: 413, code: 'payload_too_large' });
    expect(requests - before).toBe(1);
  });
});
