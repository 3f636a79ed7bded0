/**
 * A local stand-in for the Anthropic Messages API, speaking its wire format (POST /v1/messages),
 * reached through the SDK's `baseURL`. Tests script its answers step by step; the offline demo
 * (main.ts) answers from canned proposals. It never proposes anything it was not given.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  /** 1 for the first request the server received */
  n: number;
  /** performance.now() when it arrived */
  at: number;
  body: MessagesBody;
  /** whether the request carried the server's API key (`x-api-key`, or `authorization: Bearer`); the key itself is not kept */
  keyMatches: boolean;
}

export interface MessagesBody {
  model: string;
  system?: string;
  messages: { role: 'user' | 'assistant'; content: unknown }[];
  tools?: { name: string; input_schema: unknown; description?: string }[];
  tool_choice?: { type: string; name?: string };
}

export type Step =
  /** a forced tool call with this input; `extra` adds members to the tool_use block and the message */
  | { tool: unknown; extra?: Record<string, unknown>; text?: string }
  /** a text answer with no tool call, as a model that ignores tool_choice would give */
  | { say: string }
  /** an error answer: 429 `rate_limit_error`, 529 `overloaded_error`, 500 `api_error`… */
  | { status: number; retryAfter?: string }
  /** no answer until the client gives up */
  | { hang: true };

export type Responder = (req: FakeRequest) => Step;

export interface FakeMessages {
  url: string;
  requests: FakeRequest[];
  close(): Promise<void>;
}

const ERROR_TYPES: Record<number, string> = { 400: 'invalid_request_error', 401: 'authentication_error', 429: 'rate_limit_error', 500: 'api_error', 529: 'overloaded_error' };

/** A responder that plays `steps` in order, one per request, and fails the test loudly past the end. */
export function script(steps: Step[]): Responder {
  return (req) => steps[req.n - 1] ?? { status: 500 };
}

export async function startFakeMessages(respond: Responder, options: { port?: number; apiKey?: string } = {}): Promise<FakeMessages> {
  const requests: FakeRequest[] = [];
  const hanging = new Set<IncomingMessage>();
  const server: Server = createServer((req, res) => {
    void readBody(req).then((text) => {
      if (req.method !== 'POST' || req.url?.split('?')[0] !== '/v1/messages') return send(res, 404, { type: 'error', error: { type: 'not_found_error', message: `no route ${req.method} ${req.url}` } });
      const body = JSON.parse(text) as MessagesBody;
      const fake: FakeRequest = { n: requests.length + 1, at: performance.now(), body, keyMatches: options.apiKey === undefined || [req.headers['x-api-key'], req.headers.authorization?.replace(/^Bearer /, '')].includes(options.apiKey) };
      requests.push(fake);
      const step = respond(fake);
      if ('hang' in step) { hanging.add(req); return; }
      if ('status' in step) {
        return send(res, step.status, { type: 'error', error: { type: ERROR_TYPES[step.status] ?? 'api_error', message: `fake ${step.status}` } }, step.retryAfter ? { 'retry-after': step.retryAfter } : {});
      }
      if ('say' in step) {
        return send(res, 200, {
          id: `msg_fake_${fake.n}`, type: 'message', role: 'assistant', model: `${body.model}-fake`, content: [{ type: 'text', text: step.say }],
          stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 },
        });
      }
      const name = body.tool_choice?.name ?? body.tools?.[0]?.name ?? 'tool';
      const answer = JSON.stringify(step.tool) ?? '';
      send(res, 200, {
        id: `msg_fake_${fake.n}`, type: 'message', role: 'assistant', model: `${body.model}-fake`,
        content: [...(step.text ? [{ type: 'text', text: step.text }] : []), { type: 'tool_use', id: `toolu_fake_${fake.n}`, name, input: step.tool, ...step.extra }],
        stop_reason: 'tool_use', stop_sequence: null,
        usage: { input_tokens: JSON.stringify(body).length >> 2, output_tokens: answer.length >> 2 },
        ...step.extra,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => {
      for (const req of hanging) req.socket.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'request-id': 'req_fake', ...headers });
  res.end(text);
}
