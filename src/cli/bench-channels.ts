import { createHmac, randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, inFlight, startBenchGateway } from './bench-support';
import { positive } from './options';
import { percentile } from './percentile';

export interface BenchChannelsOptions {
  messages: string;
  concurrency: string;
}

const QUESTIONS = ['How do I return an item?', 'Where is my order?', 'What are your opening hours?'];
const PHONE_NUMBER_ID = '106540352242922';
const DISPLAY_PHONE_NUMBER = '15550001111';
const WABA_ID = '102290129340398';
const REPLY_TIMEOUT_MS = 60_000;
/** One platform redelivery (the same payload again) per this many messages. */
const REDELIVER_EVERY = 50;
/** A wrongly answered redelivery would be answered about as fast as a first delivery: well within this. */
const REDELIVERY_GRACE_MS = 2_000;

/**
 * `switchboard bench-channels`: N customers on WhatsApp (Cloud API) and then N on Telegram each send one question
 * as a signed webhook; the gateway answers through a local fake of the platform's send API (loopback). Measured per
 * message:
 *   ack    webhook POST sent → its 200;
 *   reply  webhook POST sent → the fake API received the gateway's reply to that customer.
 * Every REDELIVER_EVERY-th message is delivered twice, as platforms do when an acknowledgement is lost;
 * `duplicatesAnswered` counts customers answered more than once (it must be 0). The last stdout line is the JSON result.
 */
export async function benchChannelsCommand(options: BenchChannelsOptions): Promise<void> {
  const n = positive(options.messages, '--messages');
  const concurrency = positive(options.concurrency, '--concurrency');
  const progress = (line: string) => process.stderr.write(`${line}\n`);

  const graph = await startPlatformApi('WhatsApp Graph API', graphSend);
  const bot = await startPlatformApi('Telegram Bot API', botSend);
  const bench = await startBenchGateway({ dbPrefix: 'sb_bench_channels' });
  const { gateway } = bench;
  const appSecret = randomBytes(16).toString('hex');
  const secretToken = randomBytes(16).toString('hex');
  await gateway.store.channels.ensure({
    id: 'bench-whatsapp',
    kind: 'whatsapp',
    name: 'Bench WhatsApp',
    settings: { graphBase: graph.url, graphVersion: 'v21.0', phoneNumberId: PHONE_NUMBER_ID },
    secrets: { appSecret, verifyToken: randomBytes(8).toString('hex'), accessToken: 'EAAG-bench-system-user-token' },
  });
  await gateway.store.channels.ensure({
    id: 'bench-telegram',
    kind: 'telegram',
    name: 'Bench Telegram',
    settings: { apiBase: bot.url },
    secrets: { botToken: `123456:${randomBytes(12).toString('hex')}`, secretToken },
  });
  const url = await gateway.listen();

  try {
    progress(`bench-channels: ${n} messages per channel, concurrency ${concurrency}, store ${bench.storeLabel}`);
    const whatsapp = await measure({ name: 'whatsapp', webhook: `${url}/webhooks/bench-whatsapp`, api: graph, delivery: (i) => whatsappDelivery(i, appSecret) }, n, concurrency, progress);
    const telegram = await measure({ name: 'telegram', webhook: `${url}/webhooks/bench-telegram`, api: bot, delivery: (i) => telegramDelivery(i, secretToken) }, n, concurrency, progress);
    await new Promise((resolve) => setTimeout(resolve, REDELIVERY_GRACE_MS));
    const result = { messages: n, concurrency, whatsapp, telegram, duplicatesAnswered: graph.answeredTwice() + bot.answeredTwice() };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await bench.stop();
    await Promise.all([graph.stop(), bot.stop()]);
  }
}

/** One customer's message as the platform POSTs it: exact body bytes and headers, and whom the reply must go to. */
interface Delivery {
  recipient: string;
  headers: Record<string, string>;
  body: string;
}

interface ChannelRun {
  name: string;
  webhook: string;
  api: PlatformApi;
  delivery: (i: number) => Delivery;
}

/** N customers through one channel, `concurrency` at a time; latencies in ms and messages per second. */
async function measure(run: ChannelRun, n: number, concurrency: number, progress: (line: string) => void) {
  const ack: number[] = [];
  const reply: number[] = [];
  const one = async (i: number) => {
    const delivery = run.delivery(i);
    const started = performance.now();
    const elapsed = () => performance.now() - started;
    // Both started in the same tick: the reply cannot slip past before its listener exists.
    const [ackMs, replyMs] = await Promise.all([postWebhook(run.webhook, delivery).then(elapsed), run.api.replyTo(delivery.recipient).then(elapsed)]);
    ack.push(ackMs);
    reply.push(replyMs);
    if ((i + 1) % REDELIVER_EVERY === 0) await postWebhook(run.webhook, delivery);
  };

  const seconds = await inFlight(n, concurrency, one);
  progress(`bench-channels: ${run.name}: ${n} messages answered in ${seconds.toFixed(1)} s`);
  return { ackMs: stats(ack), replyMs: stats(reply), perSecond: round(n / seconds) };
}

async function postWebhook(url: string, delivery: Delivery): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`bench-channels: ${url} answered ${res.status}: ${text}`);
}

const question = (i: number) => QUESTIONS[i % QUESTIONS.length]!;
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Customer i writes on WhatsApp: the Cloud API envelope, signed like Meta's (HMAC-SHA256 of the exact bytes). */
function whatsappDelivery(i: number, appSecret: string): Delivery {
  const waId = String(4915_100_000_000 + i);
  const message = { from: waId, id: `wamid.BENCH${i}`, timestamp: String(nowSeconds()), type: 'text', text: { body: question(i) } };
  const value = {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: DISPLAY_PHONE_NUMBER, phone_number_id: PHONE_NUMBER_ID },
    contacts: [{ profile: { name: `Customer ${i}` }, wa_id: waId }],
    messages: [message],
  };
  const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: WABA_ID, changes: [{ field: 'messages', value }] }] });
  const signature = createHmac('sha256', appSecret).update(body).digest('hex');
  return { recipient: waId, headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${signature}` }, body };
}

/** Customer i writes to the bot in a private chat: an Update, with the secret token Telegram sends back. */
function telegramDelivery(i: number, secretToken: string): Delivery {
  const chatId = 700_000_000 + i;
  const message = { message_id: 1, from: { id: chatId, is_bot: false, first_name: `Customer${i}` }, chat: { id: chatId, type: 'private' }, date: nowSeconds(), text: question(i) };
  const body = JSON.stringify({ update_id: 500_000_000 + i, message });
  return { recipient: String(chatId), headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secretToken }, body };
}

/** Which request of a platform API is a send, to whom, and the success body the real API answers it with. */
type SendRoute = (path: string, body: Record<string, unknown>, seq: number) => { recipient: string; answer: unknown } | undefined;

/** `POST /<version>/<phone number id>/messages`, answered as the Cloud API does. */
const graphSend: SendRoute = (path, body, seq) => {
  if (!/^\/v\d+\.\d+\/[^/]+\/messages$/.test(path)) return undefined;
  const to = String(body.to);
  return { recipient: to, answer: { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to }], messages: [{ id: `wamid.OUT${seq}` }] } };
};

/** `POST /bot<token>/sendMessage`, answered as the Bot API does. */
const botSend: SendRoute = (path, body, seq) => {
  if (!/^\/bot[^/]+\/sendMessage$/.test(path)) return undefined;
  const chatId = Number(body.chat_id);
  return { recipient: String(chatId), answer: { ok: true, result: { message_id: seq, chat: { id: chatId, type: 'private' }, date: nowSeconds(), text: body.text } } };
};

type PlatformApi = Awaited<ReturnType<typeof startPlatformApi>>;

/** A platform's send API on loopback: answers sends, counts them per recipient, and lets the bench await one. */
async function startPlatformApi(name: string, route: SendRoute) {
  const sends = new EventEmitter();
  const perRecipient = new Map<string, number>();
  let seq = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = route(req.url ?? '', JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>, ++seq);
      res.writeHead(send ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(send ? send.answer : { ok: false, error_code: 404, description: 'Not Found' }));
      if (!send) return;
      perRecipient.set(send.recipient, (perRecipient.get(send.recipient) ?? 0) + 1);
      sends.emit(send.recipient);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async replyTo(recipient: string): Promise<void> {
      try {
        await once(sends, recipient, { signal: AbortSignal.timeout(REPLY_TIMEOUT_MS) });
      } catch {
        throw new Error(`bench-channels: no reply to ${recipient} reached the ${name} within ${REPLY_TIMEOUT_MS / 1000} s`);
      }
    },
    answeredTwice: () => [...perRecipient.values()].filter((count) => count > 1).length,
    stop: () => closeServer(server),
  };
}

function stats(xs: number[]) {
  const sorted = [...xs].sort((a, b) => a - b);
  return { p50: round(percentile(sorted, 0.5)), p99: round(percentile(sorted, 0.99)) };
}

const round = (x: number) => Math.round(x * 10) / 10;
