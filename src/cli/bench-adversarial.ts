import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { MessageRecord } from '../../conversations/types';
import { closeServer, startBenchGateway } from './bench-support';
import { positive } from './options';

export interface BenchAdversarialOptions {
  sizes: string;
}

const unit = (u: string, n: number) => u.repeat(Math.ceil(n / u.length)).slice(0, n);

/** The shapes that make backtracking patterns and slow libraries explode (test/unit/adversarial-text.test.ts). */
const SHAPES: Record<string, (n: number) => string> = {
  letters: (n) => unit('a', n),
  'a.': (n) => unit('a.', n),
  'digits+spaces': (n) => unit('1 ', n),
  'zeros+spaces': (n) => unit('0 ', n),
  'a@': (n) => unit('a@', n),
  'x@a.a.': (n) => `x@${unit('a.', n)}`,
  'agent+spaces': (n) => `agent${unit(' ', n)}x`,
  '+49': (n) => unit('+49 ', n),
  words: (n) => unit('still waiting for my lost order again, thanks for the delay ', n),
};

/** The HTTP API channel caps text at 10,000 characters; larger messages go in the way every webhook's do, through the ingestor. */
const API_MAX_TEXT = 10_000;

/**
 * `switchboard bench-adversarial`: hostile messages (long runs of letters, dots, digits and spaces, '@', …) at each
 * size go through an in-process gateway, one after another, while the event loop's delay is sampled
 * (perf_hooks.monitorEventLoopDelay) and /health is pinged every 10 ms. Prints the longest event-loop block, the
 * slowest /health answer and the slowest message (stored → processed) as one JSON line.
 */
export async function benchAdversarialCommand(options: BenchAdversarialOptions): Promise<void> {
  const sizes = options.sizes.split(',').map((s) => positive(s.trim(), '--sizes'));
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const callbacks = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((resolve) => callbacks.listen(0, '127.0.0.1', () => resolve()));
  const callbackUrl = `http://127.0.0.1:${(callbacks.address() as AddressInfo).port}/`;
  const bench = await startBenchGateway({ dbPrefix: 'sb_bench_adversarial', env: { WORKERS: '2' } });
  const { gateway, config } = bench;
  try {
    const apiKey = `sk_bench_${randomBytes(12).toString('hex')}`;
    const channel = await gateway.store.channels.ensure({ id: 'bench-api', kind: 'api', name: 'Bench API', settings: { callbackUrl }, secrets: { apiKey, signingSecret: 'x' }, apiKey });
    const url = await gateway.listen();
    progress(`bench-adversarial: sizes ${sizes.join(', ')}, ${Object.keys(SHAPES).length} shapes, BRAIN_MAX_CHARS ${config.BRAIN_MAX_CHARS}, embeddings ${config.EMBEDDINGS}, store ${bench.storeLabel}`);

    const processed = (id: string) =>
      new Promise<void>((resolve) => {
        const onProcessed = (message: MessageRecord) => {
          if (String(message._id) !== id) return;
          for (const p of gateway.processors) p.off('processed', onProcessed);
          resolve();
        };
        for (const p of gateway.processors) p.on('processed', onProcessed);
      });
    let seq = 0;
    const send = async (text: string): Promise<number> => {
      const id = `adv-${seq++}`;
      const started = performance.now();
      let messageId: string;
      if (text.length <= API_MAX_TEXT) {
        const res = await fetch(`${url}/api/v1/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ id, contact: { id }, text }),
        });
        if (res.status !== 202) throw new Error(`API answered ${res.status}: ${await res.text()}`);
        messageId = (await res.json()).messageId;
      } else {
        const result = await gateway.deps.ingestor.ingest(channel, {
          kind: 'message',
          externalId: id,
          from: { externalId: id },
          address: { to: id },
          parts: [{ type: 'text', text }],
          sentAt: new Date(),
          isSelf: false,
          raw: { bench: true },
        });
        if (result.kind !== 'message') throw new Error(`not stored: ${JSON.stringify(result)}`);
        messageId = String(result.messageId);
      }
      const done = processed(messageId);
      // Already processed before the listener was attached?
      if ((await gateway.store.messages.get(messageId))?.processing?.state !== 'done') await done;
      return performance.now() - started;
    };

    // Warm-up (JIT, models, pools) outside the measurement.
    await send('How do I return an item?');

    let pinging = true;
    const health: number[] = [];
    const pinger = (async () => {
      while (pinging) {
        const started = performance.now();
        await (await fetch(`${url}/health`)).arrayBuffer();
        health.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    // The hostile texts are made before the measurement: building megabytes of string is the attacker's cost,
    // not the gateway's, and would otherwise show up as a block of this process's event loop.
    const messages = [API_MAX_TEXT, ...sizes].flatMap((size) => Object.entries(SHAPES).map(([shape, make]) => ({ shape, size, text: make(size) })));
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const perMessage: Array<{ shape: string; chars: number; ms: number; blockMs: number }> = [];
    for (const { shape, size, text } of messages) {
      // A histogram per message as well, so the worst block is pinned on the shape and size that caused it.
      const own = monitorEventLoopDelay({ resolution: 5 });
      own.enable();
      const ms = await send(text);
      own.disable();
      const blockMs = own.max / 1e6;
      perMessage.push({ shape, chars: size, ms, blockMs });
      progress(`${shape} × ${size}: ${ms.toFixed(0)} ms, longest block ${blockMs.toFixed(1)} ms`);
    }
    delay.disable();
    pinging = false;
    await pinger;

    const slowest = perMessage.reduce((a, b) => (b.ms > a.ms ? b : a));
    const worstBlock = perMessage.reduce((a, b) => (b.blockMs > a.blockMs ? b : a));
    process.stdout.write(
      `${JSON.stringify({
        messages: perMessage.length,
        sizes: [API_MAX_TEXT, ...sizes],
        brainMaxChars: config.BRAIN_MAX_CHARS,
        embeddings: config.EMBEDDINGS,
        maxEventLoopBlockMs: round(delay.max / 1e6),
        p99EventLoopDelayMs: round(delay.percentile(99) / 1e6),
        healthChecks: health.length,
        maxHealthMs: round(Math.max(...health)),
        slowestMessage: { shape: slowest.shape, chars: slowest.chars, ms: round(slowest.ms) },
        worstBlockMessage: { shape: worstBlock.shape, chars: worstBlock.chars, blockMs: round(worstBlock.blockMs) },
      })}\n`,
    );
  } finally {
    await bench.stop();
    await closeServer(callbacks);
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
