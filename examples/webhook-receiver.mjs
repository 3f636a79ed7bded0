/* global process, Buffer, console */
// A receiver for Arbiter's deliveries (docs/delivery.md): verify the signature over the raw body,
// act on each decision once (deduplicated by Idempotency-Key, the decision id), answer 2xx.
//   WEBHOOK_SECRET=… PORT=9000 node examples/webhook-receiver.mjs
import { createServer } from 'node:http';
import { verifyWebhook } from 'arbiter-gate/webhook';

const secret = process.env.WEBHOOK_SECRET;
if (!secret) throw new Error('set WEBHOOK_SECRET to the value of the action\'s `deliver.secret_env`');
// Keep this in your database, in the transaction that performs the action: in memory, a restart forgets it.
const done = new Set();

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const v = verifyWebhook(secret, req.headers, body);
    if (!v.ok) {
      // 4xx other than 408 and 429 is final: Arbiter dead-letters the event instead of retrying.
      res.writeHead(400).end(v.reason);
      return;
    }
    const event = JSON.parse(body.toString('utf8'));
    if (done.has(v.idempotencyKey)) {
      res.writeHead(200).end('already done');
      return;
    }
    if (event.outcome === 'approve') console.log(`execute ${event.action} for decision ${event.decision}: ${JSON.stringify(event.proposal)}`);
    else console.log(`${event.outcome} ${event.action} for decision ${event.decision}: do nothing`);
    done.add(v.idempotencyKey);
    res.writeHead(200).end('ok');
  });
});

server.listen(Number(process.env.PORT ?? 9000), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}/hook`);
});
