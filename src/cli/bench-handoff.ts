import { createHmac, randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deskActionValue } from '../../adapters/desk';
import { closeServer, inFlight, startBenchGateway } from './bench-support';
import { positive } from './options';
import { percentile } from './percentile';

export interface BenchHandoffOptions {
  conversations: string;
  concurrency: string;
}

const DESK = 'C0BENCH';

/**
 * `switchboard bench-handoff`: N customers on the HTTP API channel each ask for a person; an agent at a Slack desk
 * (a local Slack Web API on loopback, signed events like Slack's) replies in the thread and resolves. Measured per
 * conversation:
 *   handoff  customer's 202 → the escalation card posted to Slack and its thread recorded (analysis, escalation,
 *            assist, card drawing);
 *   relay    the agent's signed event answered 200 → the reply received by the customer's callback;
 *   survey   the Resolve click answered 200 → the satisfaction question received by the callback.
 * The last stdout line is the JSON result.
 */
export async function benchHandoffCommand(options: BenchHandoffOptions): Promise<void> {
  const n = positive(options.conversations, '--conversations');
  const concurrency = positive(options.concurrency, '--concurrency');
  const progress = (line: string) => process.stderr.write(`${line}\n`);

  const slack = await startSlackApi();
  const customers = await startCallbacks();
  const bench = await startBenchGateway({ dbPrefix: 'sb_bench_handoff', env: { DESK_SLA_MINUTES: '0' } });
  const { gateway } = bench;
  const apiKey = `sk_bench_${randomBytes(12).toString('hex')}`;
  const signingSecret = randomBytes(16).toString('hex');
  await gateway.store.channels.ensure({ id: 'bench-api', kind: 'api', name: 'Bench API', settings: { callbackUrl: customers.url }, secrets: { apiKey, signingSecret: 'x' }, apiKey });
  await gateway.store.channels.ensure({
    id: 'bench-slack',
    kind: 'slack',
    name: 'Bench Slack',
    settings: { slackApiUrl: slack.url, botUserId: 'UBOT', desk: { channel: DESK } },
    secrets: { signingSecret, botToken: 'xoxb-bench' },
  });
  // An agent can only answer a card once the gateway has recorded where it landed (its ts): wait for that, not
  // just for Slack to receive it (a reply faster than that is not a desk reply to anyone).
  const drawn = new EventEmitter();
  drawn.setMaxListeners(0);
  gateway.deskDeliverer.on('done', (post: { kind: string; conversationId: unknown }) => {
    if (post.kind === 'card') drawn.emit(String(post.conversationId));
  });
  const url = await gateway.listen();
  const slackWebhook = `${url}/webhooks/bench-slack`;

  const handoff: number[] = [];
  const relay: number[] = [];
  const survey: number[] = [];
  const one = async (i: number) => {
    const contact = `bench-${i}`;
    const started = performance.now();
    const posted = await fetch(`${url}/api/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: `${contact}-m1`, contact: { id: contact, name: `Customer ${i}` }, text: 'My order has not arrived. I want to talk to a human.' }),
    });
    const { conversationId } = (await posted.json()) as { conversationId: string };
    const cardDrawn = once(drawn, conversationId);
    const ts = await slack.cardFor(conversationId);
    await cardDrawn;
    handoff.push(performance.now() - started);

    const agentAt = performance.now();
    const agentReply = slack.signed(signingSecret, {
      type: 'event_callback',
      event_id: `Ev-${contact}`,
      authorizations: [{ user_id: 'UBOT', is_bot: true }],
      event: { type: 'message', channel: DESK, channel_type: 'channel', user: 'UAGENT', text: `Hi Customer ${i}, your parcel ships today.`, ts: `${ts}1`, thread_ts: ts },
    });
    const replied = customers.next(contact, (m) => m.author === 'agent');
    await fetch(slackWebhook, agentReply);
    await replied;
    relay.push(performance.now() - agentAt);

    const resolveAt = performance.now();
    const asked = customers.next(contact, (m) => m.text.includes('How did we do?'));
    const click = { type: 'block_actions', user: { id: 'UAGENT' }, channel: { id: DESK }, container: { message_ts: ts }, actions: [{ type: 'button', action_id: 'resolve', value: deskActionValue('resolve', conversationId), action_ts: `${ts}9` }] };
    await fetch(slackWebhook, slack.signed(signingSecret, click, true));
    await asked;
    survey.push(performance.now() - resolveAt);
  };

  try {
    progress(`bench-handoff: ${n} conversations, concurrency ${concurrency}, store ${bench.storeLabel}`);
    const seconds = await inFlight(n, concurrency, one);
    const stats = (xs: number[]) => {
      const sorted = [...xs].sort((a, b) => a - b);
      return { p50Ms: round(percentile(sorted, 0.5)), p95Ms: round(percentile(sorted, 0.95)), p99Ms: round(percentile(sorted, 0.99)) };
    };
    const result = { conversations: n, concurrency, conversationsPerSecond: round(n / seconds), handoff: stats(handoff), relay: stats(relay), survey: stats(survey) };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await bench.stop();
    await Promise.all([slack.stop(), customers.stop()]);
  }
}

/** The Slack Web API methods a desk calls, answering like Slack; emits 'card' when an escalation card is posted. */
async function startSlackApi() {
  const events = new EventEmitter();
  const cards = new Map<string, string>();
  let seq = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      const method = (req.url ?? '').replace(/^\/api\//, '');
      const ts = `${1_700_000_000 + ++seq}.000100`;
      res.writeHead(200, { 'content-type': 'application/json' });
      if (method === 'users.info') return res.end(JSON.stringify({ ok: true, user: { id: form.user, profile: { display_name: 'Agent' } } }));
      if (method === 'chat.postMessage' && !form.thread_ts) {
        const id = /sb:claim:([0-9a-f]{24})/.exec(form.blocks ?? '')?.[1];
        if (id) {
          cards.set(id, ts);
          events.emit('card', id);
        }
      }
      res.end(JSON.stringify({ ok: true, channel: form.channel, ts }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`,
    async cardFor(conversationId: string): Promise<string> {
      while (!cards.has(conversationId)) await once(events, 'card');
      return cards.get(conversationId)!;
    },
    signed(secret: string, payload: unknown, form = false): RequestInit {
      const body = form ? new URLSearchParams({ payload: JSON.stringify(payload) }).toString() : JSON.stringify(payload);
      const seconds = Math.floor(Date.now() / 1000);
      const signature = createHmac('sha256', secret).update(`v0:${seconds}:${body}`).digest('hex');
      return {
        method: 'POST',
        headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json', 'x-slack-request-timestamp': String(seconds), 'x-slack-signature': `v0=${signature}` },
        body,
      };
    },
    stop: () => closeServer(server),
  };
}

interface Delivered {
  author: string;
  text: string;
}

/** The customers' side: the API channel's callbacks, by contact. */
async function startCallbacks() {
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { contact: { id: string }; message: { author: { kind: string }; text: string } };
      res.writeHead(200).end();
      events.emit(body.contact.id, { author: body.message.author.kind, text: body.message.text } satisfies Delivered);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`,
    next(contact: string, match: (m: Delivered) => boolean): Promise<void> {
      return new Promise((resolve) => {
        const listener = (m: Delivered) => {
          if (!match(m)) return;
          events.off(contact, listener);
          resolve();
        };
        events.on(contact, listener);
      });
    },
    stop: () => closeServer(server),
  };
}

const round = (x: number) => Math.round(x * 10) / 10;
