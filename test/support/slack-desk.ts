import { randomBytes } from 'node:crypto';
import { startTestGateway, type TestGateway, type TestGatewayOptions } from './gateway';
import { postToSlackWebhook, SlackPeer, slackHeaders } from './slack-peer';

export const DESK_CHANNEL = 'C0DESK';
export const AGENT = { id: 'U0AGENT', name: 'Dana' };
export const COLLEAGUE = { id: 'U0COLL', name: 'Sam' };

/**
 * A gateway whose Slack channel instance is also the agents' desk (`settings.desk.channel`), with the Slack Web API
 * played by the local peer. Signed requests are built here, like Slack builds them.
 */
export async function startSlackDesk(name: string, options: TestGatewayOptions = {}): Promise<SlackDesk> {
  const peer = await new SlackPeer({ clock: options.clock ?? (() => new Date()) }).start();
  peer.users.set(AGENT.id, AGENT.name);
  peer.users.set(COLLEAGUE.id, COLLEAGUE.name);
  const t = await startTestGateway(name, options);
  const secret = randomBytes(16).toString('hex');
  const channelId = 'slack-desk';
  await t.gateway.store.channels.ensure({
    id: channelId,
    kind: 'slack',
    name: 'Slack',
    settings: { slackApiUrl: peer.apiUrl, botUserId: peer.botUserId, desk: { channel: DESK_CHANNEL } },
    secrets: { signingSecret: secret, botToken: 'xoxb-desk-token' },
  });
  return new SlackDesk(t, peer, secret, `${t.url}/webhooks/${channelId}`, options.clock ?? (() => new Date()));
}

let seq = 0;
const nextTs = () => `${1_800_000_000 + ++seq}.000200`;

export class SlackDesk {
  constructor(
    readonly t: TestGateway,
    readonly peer: SlackPeer,
    readonly secret: string,
    readonly webhook: string,
    /** The gateway's clock: Slack's signature timestamps must be fresh by it. */
    readonly clock: () => Date,
  ) {}

  private get seconds(): number {
    return Math.floor(this.clock().getTime() / 1000);
  }

  /** The escalation card posted for the conversation (its ts is the thread root). */
  card(conversationId: string): { ts: string; blocks: string } | undefined {
    const call = this.peer.accepted('chat.postMessage', DESK_CHANNEL).find((c) => !c.form.thread_ts && (c.form.blocks ?? '').includes(conversationId));
    if (!call) return undefined;
    return { ts: String(call.answer.ts), blocks: call.form.blocks ?? '' };
  }

  threadPosts(rootTs: string): string[] {
    return this.peer.accepted('chat.postMessage', DESK_CHANNEL).filter((c) => c.form.thread_ts === rootTs).map((c) => c.form.text ?? '');
  }

  cardUpdates(rootTs: string): string[] {
    return this.peer.accepted('chat.update', DESK_CHANNEL).filter((c) => c.form.ts === rootTs).map((c) => c.form.blocks ?? '');
  }

  /** An agent's message in the escalation thread, as Slack's Events API delivers it (no mention: `message.channels`). */
  async agentSays(rootTs: string, text: string, options: { user?: string; eventId?: string; retryNum?: number } = {}): Promise<Response> {
    const ts = nextTs();
    const eventId = options.eventId ?? `Ev${ts.replace('.', '')}`;
    return postToSlackWebhook(
      this.webhook,
      this.secret,
      {
        type: 'event_callback',
        team_id: 'T1',
        event_id: eventId,
        event_time: this.seconds,
        authorizations: [{ team_id: 'T1', user_id: this.peer.botUserId, is_bot: true }],
        event: { type: 'message', channel: DESK_CHANNEL, channel_type: 'channel', user: options.user ?? AGENT.id, text, ts, thread_ts: rootTs },
      },
      { timestampSeconds: this.seconds, ...(options.retryNum ? { headers: { 'x-slack-retry-num': String(options.retryNum), 'x-slack-retry-reason': 'http_timeout' } } : {}) },
    );
  }

  /** A button on the card, as Slack's interactivity request delivers the click. */
  async click(rootTs: string, value: string, user = AGENT.id): Promise<Response> {
    const actionTs = nextTs();
    return postToSlackWebhook(
      this.webhook,
      this.secret,
      {
        type: 'block_actions',
        user: { id: user, name: user.toLowerCase() },
        channel: { id: DESK_CHANNEL },
        container: { type: 'message', channel_id: DESK_CHANNEL, message_ts: rootTs },
        message: { ts: rootTs },
        actions: [{ type: 'button', action_id: `desk_${value.split(':')[1]}`, value, action_ts: actionTs, block_id: 'desk' }],
        response_url: 'http://127.0.0.1:9/unused',
      },
      { form: true, timestampSeconds: this.seconds },
    );
  }

  /** `/switchboard <text>`, form-encoded and signed the way Slack sends slash commands. */
  async command(text: string, user = AGENT.id, channel = DESK_CHANNEL): Promise<Response> {
    const body = new URLSearchParams({ command: '/switchboard', text, user_id: user, user_name: user.toLowerCase(), channel_id: channel, trigger_id: `trig-${nextTs()}`, team_id: 'T1' }).toString();
    return fetch(this.webhook, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackHeaders(this.secret, body, this.seconds) }, body });
  }

  async stop(): Promise<void> {
    await this.t.stop();
    await this.peer.stop();
  }
}
