import { randomBytes } from 'node:crypto';
import type { Store } from '../conversations';
import type { Config } from './config';

export interface DemoChannels {
  webchatId: string;
  apiKey: string;
}

/**
 * The channels `npm start` offers out of the box: the web chat on the demo page and an HTTP API channel.
 * Created once (idempotent), with random secrets unless the environment pins them.
 */
export async function ensureDemoChannels(store: Store, config: Config): Promise<DemoChannels> {
  const webchat = await store.channels.ensure({
    id: 'demo',
    kind: 'webchat',
    name: 'Demo web chat',
    secrets: { tokenSecret: randomBytes(32).toString('hex') },
  });
  const apiKey = config.DEMO_API_KEY ?? `sk_demo_${randomBytes(18).toString('base64url')}`;
  const api = await store.channels.ensure({
    id: 'demo-api',
    kind: 'api',
    name: 'Demo HTTP API',
    settings: config.DEMO_CALLBACK_URL ? { callbackUrl: config.DEMO_CALLBACK_URL } : {},
    secrets: { apiKey, signingSecret: randomBytes(32).toString('hex') },
    apiKey,
  });
  if (config.SLACK_BOT_TOKEN && (config.SLACK_SIGNING_SECRET || config.SLACK_APP_TOKEN)) {
    // Until there is an admin API: a Slack workspace as a customer channel, at /webhooks/slack.
    // With SLACK_DESK_CHANNEL it is also the agents' desk: escalations become threads in that channel.
    // With SLACK_APP_TOKEN it receives over Socket Mode instead (no public URL; one process holds the socket).
    await store.channels.ensure({
      id: 'slack',
      kind: 'slack',
      name: 'Slack',
      secrets: {
        botToken: config.SLACK_BOT_TOKEN,
        ...(config.SLACK_SIGNING_SECRET ? { signingSecret: config.SLACK_SIGNING_SECRET } : {}),
        ...(config.SLACK_APP_TOKEN ? { appToken: config.SLACK_APP_TOKEN } : {}),
      },
    });
    // The environment decides the transport on every start (unsetting SLACK_APP_TOKEN goes back to webhooks). But
    // secrets are set only when the channel is created: a `slack` channel created before SLACK_APP_TOKEN was set
    // has no appToken, and its connection fails to start (logged) until it is recreated (README: "Socket Mode").
    await store.channels.setSettings('slack', { socketMode: Boolean(config.SLACK_APP_TOKEN) });
    // The environment decides the desk on every start (ensure only creates): setting the variable later works too.
    if (config.SLACK_DESK_CHANNEL) await store.channels.setSettings('slack', { desk: { channel: config.SLACK_DESK_CHANNEL, ...(await deskAgents(store, 'slack')) } });
  }
  if (config.TEAMS_APP_ID && config.TEAMS_APP_PASSWORD && config.TEAMS_TENANT_ID) {
    // A Teams bot (Azure Bot resource) as a customer channel at /webhooks/teams; with TEAMS_DESK_CHANNEL also a desk.
    await store.channels.ensure({
      id: 'teams',
      kind: 'teams',
      name: 'Microsoft Teams',
      secrets: { appId: config.TEAMS_APP_ID, appPassword: config.TEAMS_APP_PASSWORD, tenantId: config.TEAMS_TENANT_ID },
    });
    if (config.TEAMS_DESK_CHANNEL) {
      await store.channels.setSettings('teams', {
        desk: { channel: config.TEAMS_DESK_CHANNEL, extra: { serviceUrl: config.TEAMS_SERVICE_URL, tenantId: config.TEAMS_TENANT_ID }, ...(await deskAgents(store, 'teams')) },
      });
    }
  }
  if (config.DISCORD_BOT_TOKEN) {
    // A Discord bot as a customer channel: DMs and mentions arrive over the gateway (one process holds it).
    await store.channels.ensure({ id: 'discord', kind: 'discord', name: 'Discord', settings: { threads: true }, secrets: { botToken: config.DISCORD_BOT_TOKEN } });
  }
  if (config.WHATSAPP_WEB) {
    // A WhatsApp number on a linked phone: one gateway process opens WhatsApp Web in Chromium and prints the QR.
    await store.channels.ensure({ id: 'whatsapp-web', kind: 'whatsapp', name: 'WhatsApp (linked phone)', settings: { driver: 'web' } });
  }
  if (config.EMAIL_ADDRESS && config.IMAP_HOST && config.SMTP_HOST) {
    // A support inbox: mail read over IMAP by one process (a lease), answered over SMTP. Settings follow the
    // environment on every start; the passwords are stored (encrypted) when the channel is created.
    await store.channels.ensure({
      id: 'email',
      kind: 'email',
      name: config.EMAIL_ADDRESS,
      secrets: {
        ...(config.IMAP_USER ? { imapUser: config.IMAP_USER } : {}),
        ...(config.IMAP_PASSWORD ? { imapPassword: config.IMAP_PASSWORD } : {}),
        ...(config.SMTP_USER ? { smtpUser: config.SMTP_USER } : {}),
        ...(config.SMTP_PASSWORD ? { smtpPassword: config.SMTP_PASSWORD } : {}),
      },
    });
    await store.channels.setSettings('email', {
      imap: { host: config.IMAP_HOST, port: config.IMAP_PORT, secure: config.IMAP_SECURE, mailboxes: config.IMAP_MAILBOXES, ...(config.IMAP_PROCESSED_FOLDER ? { processedFolder: config.IMAP_PROCESSED_FOLDER } : {}) },
      smtp: { host: config.SMTP_HOST, port: config.SMTP_PORT, secure: config.SMTP_SECURE },
      from: config.EMAIL_ADDRESS,
      fromName: config.EMAIL_NAME,
      ...(config.EMAIL_SIGNATURE ? { signature: config.EMAIL_SIGNATURE } : {}),
    });
  }
  return { webchatId: webchat.id, apiKey: api.secrets.apiKey ?? apiKey };
}

/** An admin's agent list (`settings.desk.agents`, set with the CLI) is not in the environment: kept when it sets the desk. */
async function deskAgents(store: Store, channelId: string): Promise<{ agents?: string[] }> {
  const desk = (await store.channels.list()).find((c) => c.id === channelId)?.settings.desk as { agents?: unknown } | undefined;
  const agents = desk?.agents;
  return Array.isArray(agents) && agents.every((a) => typeof a === 'string') ? { agents } : {};
}
