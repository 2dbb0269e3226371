import { startTestGateway, type TestGateway, type TestGatewayOptions } from './gateway';
import { postTeamsActivity, TEAMS_ISSUER, TEAMS_TENANT, TeamsPeer } from './teams-peer';

export const TEAMS_APP_ID = '7e1d2c3b-4a5f-4e6d-8c7b-9a0f1e2d3c4b';
export const TEAMS_BOT_ID = `28:${TEAMS_APP_ID}`;
export const TEAMS_DESK_CHANNEL = '19:desk@thread.tacv2';
export const TEAMS_TEAM = '19:support-team@thread.tacv2';
export const TEAMS_AGENT = { id: 'aad-agent-1', name: 'Priya' };

/**
 * A gateway whose Teams channel instance is also the agents' desk: escalations become threads in the desk channel.
 * The connector, the signing keys and the token sidecar are the local peer; every inbound activity carries a JWT
 * minted here with the peer's key.
 */
export async function startTeamsDesk(name: string, options: TestGatewayOptions = {}): Promise<TeamsDesk> {
  const peer = await new TeamsPeer().start();
  const t = await startTestGateway(name, options);
  const channelId = 'teams-desk';
  await t.gateway.store.channels.ensure({
    id: channelId,
    kind: 'teams',
    name: 'Teams',
    settings: {
      authorityEndpoint: peer.authorityEndpoint,
      issuers: [TEAMS_ISSUER],
      sidecarBaseUrl: peer.url,
      allowedServiceHosts: ['127.0.0.1'],
      botName: 'Switchboard',
      desk: { channel: TEAMS_DESK_CHANNEL, extra: { serviceUrl: peer.serviceUrl, tenantId: TEAMS_TENANT, teamId: TEAMS_TEAM } },
    },
    secrets: { appId: TEAMS_APP_ID, appPassword: 'unused-with-the-sidecar', tenantId: TEAMS_TENANT },
  });
  return new TeamsDesk(t, peer, `${t.url}/webhooks/${channelId}`);
}

let seq = 0;

export class TeamsDesk {
  constructor(
    readonly t: TestGateway,
    readonly peer: TeamsPeer,
    readonly webhook: string,
  ) {}

  /** The thread the card opened for this conversation: the root activity id, and the card as posted. */
  card(conversationId: string): { rootId: string; threadConversation: string; card: string } | undefined {
    const call = this.peer.calls.find((c) => c.kind === 'create' && c.status < 300 && JSON.stringify(c.body ?? {}).includes(conversationId));
    if (!call) return undefined;
    return { rootId: String(call.answer.activityId), threadConversation: String(call.answer.id), card: JSON.stringify(call.body) };
  }

  threadPosts(threadConversation: string): string[] {
    return this.peer.sent(threadConversation).map((c) => JSON.stringify(c.body));
  }

  cardUpdates(threadConversation: string): string[] {
    return this.peer.calls.filter((c) => c.kind === 'update' && c.status < 300 && c.conversationId === threadConversation).map((c) => JSON.stringify(c.body));
  }

  private base(rootId: string, extra: Record<string, unknown>) {
    return {
      type: 'message',
      id: String(1_800_000_000_000 + ++seq),
      channelId: 'msteams',
      serviceUrl: this.peer.serviceUrl,
      timestamp: new Date().toISOString(),
      from: { id: `29:${TEAMS_AGENT.id}`, name: TEAMS_AGENT.name, aadObjectId: TEAMS_AGENT.id },
      recipient: { id: TEAMS_BOT_ID, name: 'Switchboard' },
      conversation: { id: `${TEAMS_DESK_CHANNEL};messageid=${rootId}`, conversationType: 'channel', isGroup: true, tenantId: TEAMS_TENANT },
      channelData: { tenant: { id: TEAMS_TENANT }, team: { id: TEAMS_TEAM }, channel: { id: TEAMS_DESK_CHANNEL } },
      ...extra,
    };
  }

  private post(activity: unknown): Promise<Response> {
    const token = this.peer.mint({ iss: TEAMS_ISSUER, aud: TEAMS_APP_ID, serviceurl: this.peer.serviceUrl });
    return postTeamsActivity(this.webhook, activity, { token });
  }

  /** A reply in the escalation thread; in channels Teams only delivers messages that @mention the bot. */
  agentSays(rootId: string, text: string): Promise<Response> {
    return this.post(
      this.base(rootId, {
        text: `<at>Switchboard</at> ${text}`,
        entities: [{ type: 'mention', text: '<at>Switchboard</at>', mentioned: { id: TEAMS_BOT_ID, name: 'Switchboard' } }],
      }),
    );
  }

  /** An Action.Submit button on the card: a message with `value` and no text. */
  click(rootId: string, value: string): Promise<Response> {
    return this.post(this.base(rootId, { replyToId: rootId, value: { action: value } }));
  }

  /** "@Switchboard open" as a new post in the desk channel: a command. */
  command(text: string): Promise<Response> {
    const id = String(1_800_000_000_000 + ++seq);
    return this.post({
      ...this.base(id, {
        text: `<at>Switchboard</at> ${text}`,
        entities: [{ type: 'mention', text: '<at>Switchboard</at>', mentioned: { id: TEAMS_BOT_ID, name: 'Switchboard' } }],
      }),
      id,
    });
  }

  async stop(): Promise<void> {
    await this.t.stop();
    await this.peer.stop();
  }
}
