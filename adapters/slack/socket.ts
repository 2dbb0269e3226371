import { LogLevel, SocketModeClient, type Logger as SlackLogger } from '@slack/socket-mode';
import type { Logger } from 'pino';
import type { ChannelInstance, InboundEvent, RawResponse } from '../types';
import { parseSlackBody, type SlackSelf } from './parse';

const DEFAULT_API_URL = 'https://slack.com/api/';

export interface SlackSocketDeps {
  /** Timeout of `apps.connections.open` (and of waiting for the socket to close on stop). */
  timeoutMs: number;
  /** How long one connection attempt may take until Slack's `hello`; `start` fails after it (the host retries). */
  readyTimeoutMs?: number;
  /** Back-off after a failed reconnect: doubles from this up to 30 s (the first reconnect is immediate). */
  reconnectDelayMs?: number;
  /** How long `stop` waits for events already handed to `onEvent` to be stored and acknowledged. */
  drainMs?: number;
  log?: Pick<Logger, 'info' | 'warn' | 'error'>;
}

/** Same shape as the host's StatefulConnection (src/connections), which adapters/ may not import. */
export interface SlackSocketConnection {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** What `onEvent` resolves with, as far as the acknowledgement cares: a desk's answer to a slash command. */
export interface SlackSocketOutcome {
  kind: string;
  response?: RawResponse | undefined;
}

/** A Slack channel instance that receives over Socket Mode (and so needs a held connection, not a public URL). */
export function slackUsesSocketMode(channel: ChannelInstance): boolean {
  return channel.kind === 'slack' && channel.settings.socketMode === true;
}

/** The part of a Socket Mode envelope we read, as SocketModeClient emits it on `slack_event`. */
interface Envelope {
  ack: (response?: Record<string, unknown>) => Promise<void>;
  envelope_id?: string;
  type: string;
  body: unknown;
  retry_num?: number;
}

/**
 * Slack over Socket Mode: `@slack/socket-mode`'s SocketModeClient, authenticated by the app-level token (secret
 * `appToken`, xapp-…), so no public URL and no signature check. Each envelope's payload (an Events API callback,
 * an interactivity payload, slash command fields) goes through the same pure parser as the webhook; every event is
 * handed to `onEvent` (which stores it) and only then is the envelope acknowledged, a slash command with the
 * desk's answer as the ack payload. If storing fails, no ack: Slack redelivers and ingest deduplicates.
 *
 * Only the process holding the channel's lease runs one. Reconnects (Slack's `disconnect` envelopes, dropped
 * sockets) happen here, while the lease is held, each with a fresh client and a fresh `apps.connections.open`;
 * the SDK's own reconnect loop is off, because a failed `apps.connections.open` inside it becomes an unhandled
 * rejection and its URL retries (100 by default) would outlive the lease. `stop` ends all of it.
 */
export function createSlackSocketConnection(
  channel: ChannelInstance,
  onEvent: (event: InboundEvent) => Promise<SlackSocketOutcome>,
  deps: SlackSocketDeps,
): SlackSocketConnection {
  const log = deps.log;
  const setting = (key: string) => (typeof channel.settings[key] === 'string' ? (channel.settings[key] as string) : undefined);
  const self: SlackSelf = { botUserId: setting('botUserId'), botId: setting('botId') };
  const slackApiUrl = setting('slackApiUrl') ?? DEFAULT_API_URL;
  const readyMs = deps.readyTimeoutMs ?? 30_000;
  const baseDelayMs = deps.reconnectDelayMs ?? 1_000;

  /** The client whose socket is (or is becoming) the live one; envelopes from any other client are ignored. */
  let current: SocketModeClient | undefined;
  /** Every client not known to be closed, so `stop` leaves no socket behind. */
  const clients = new Set<SocketModeClient>();
  /** Envelopes handed to `onEvent` and not yet acknowledged (or given up on). */
  const inflight = new Set<Promise<void>>();
  let running = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let reconnecting: Promise<void> | undefined;

  const handle = (c: SocketModeClient, envelope: Envelope) => {
    // Not ours any more (stopping, or an abandoned attempt): no ack, so Slack redelivers to the live connection.
    if (!running || current !== c || !envelope.envelope_id) return;
    const body = envelope.body && typeof envelope.body === 'object' && !Array.isArray(envelope.body) ? (envelope.body as Record<string, unknown>) : undefined;
    const events = parseSlackBody(body, self);
    // Handed over in arrival order (the host stores a channel's events in the order it receives them), then acked.
    const done = Promise.all(events.map((event) => onEvent(event)))
      .then((outcomes) => envelope.ack(envelope.type === 'slash_commands' ? ackPayload(outcomes) : undefined))
      .catch((err: unknown) =>
        log?.warn({ err, channel: channel.id, envelope: envelope.envelope_id, type: envelope.type }, 'slack envelope not acknowledged: Slack will redeliver it'),
      )
      .finally(() => inflight.delete(done));
    inflight.add(done);
  };

  const newClient = (appToken: string): SocketModeClient => {
    const c = new SocketModeClient({
      appToken,
      logger: sdkLogger(log, channel.id),
      autoReconnectEnabled: false,
      // apps.connections.open: fail fast (reconnects are ours, under the lease) instead of 100 quiet retries.
      clientOptions: { slackApiUrl, retryConfig: { retries: 0 }, timeout: deps.timeoutMs, rejectRateLimitedCalls: true },
    });
    let up = false;
    clients.add(c);
    c.on('slack_event', (envelope: Envelope) => handle(c, envelope));
    c.on('connected', () => {
      up = true;
      // A handshake that finished after its attempt was given up (or after stop): close it at once.
      if (!running || current !== c) void c.disconnect().catch(() => {});
    });
    c.on('disconnected', () => {
      clients.delete(c);
      if (!up || current !== c) return;
      current = undefined;
      if (running) {
        log?.warn({ channel: channel.id }, 'slack socket mode connection closed: reconnecting');
        scheduleReconnect(appToken);
      }
    });
    return c;
  };

  /** One connection: `apps.connections.open`, the WebSocket, Slack's `hello`. Leaves nothing open when it fails. */
  const attempt = async (appToken: string): Promise<void> => {
    const c = newClient(appToken);
    current = c;
    try {
      await withTimeout(c.start(), readyMs, 'Slack Socket Mode did not say hello in time');
    } catch (err) {
      if (current === c) current = undefined;
      await withTimeout(c.disconnect(), deps.timeoutMs, 'socket did not close').catch(() => {});
      throw err;
    }
    if (!running || current !== c) throw new Error('Slack Socket Mode connection stopped while connecting');
  };

  const scheduleReconnect = (appToken: string) => {
    if (!running || timer || reconnecting) return;
    const delay = failures === 0 ? 0 : Math.min(30_000, baseDelayMs * 2 ** (failures - 1));
    timer = setTimeout(() => {
      timer = undefined;
      if (!running) return;
      reconnecting = attempt(appToken)
        .then(
          () => {
            failures = 0;
            log?.info({ channel: channel.id }, 'slack socket mode reconnected');
          },
          (err: unknown) => {
            if (!running) return;
            failures += 1;
            log?.warn({ err, channel: channel.id, failures }, 'slack socket mode reconnect failed');
          },
        )
        .finally(() => {
          reconnecting = undefined;
          if (running && !current) scheduleReconnect(appToken);
        });
    }, delay);
  };

  return {
    async start() {
      if (running) return;
      const appToken = channel.secrets.appToken;
      if (!appToken) throw new Error(`Slack channel "${channel.id}" has socketMode on but no appToken secret (an xapp- token)`);
      running = true;
      failures = 0;
      try {
        await attempt(appToken);
        log?.info({ channel: channel.id }, 'slack socket mode connected');
      } catch (err) {
        running = false;
        throw err;
      }
    },

    async stop() {
      running = false;
      clearTimeout(timer);
      timer = undefined;
      await reconnecting;
      // Events already handed over: let them be stored and acknowledged on the still-open socket.
      await withTimeout(Promise.allSettled([...inflight]), deps.drainMs ?? 5_000, 'drain').catch(() => {});
      current = undefined;
      // A clean close (1000): Slack stops sending here and delivers to the next holder's connection.
      await Promise.all([...clients].map((c) => withTimeout(c.disconnect(), deps.timeoutMs, 'socket did not close').catch(() => {})));
      clients.clear();
    },
  };
}

/** The ack payload of a slash command: the desk's answer (`{response_type, text}`), if it gave one. */
function ackPayload(outcomes: SlackSocketOutcome[]): Record<string, unknown> | undefined {
  const response = outcomes.find((o) => o.kind === 'desk' && o.response)?.response;
  if (!response) return undefined;
  return typeof response.body === 'string' ? { text: response.body } : response.body;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The SDK's logger interface onto ours: its debug and info chatter dropped, warnings and errors as warnings. */
function sdkLogger(log: SlackSocketDeps['log'], channelId: string): SlackLogger {
  let level = LogLevel.WARN;
  const write = (msg: unknown[]) => log?.warn({ channel: channelId }, `slack socket mode: ${msg.map(String).join(' ')}`);
  return {
    debug: () => {},
    info: () => {},
    warn: (...msg: unknown[]) => write(msg),
    error: (...msg: unknown[]) => write(msg),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
