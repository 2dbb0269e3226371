import type { AuthConfiguration } from '@microsoft/agents-hosting';
import type { ChannelInstance } from '../types';

/**
 * What a Teams channel instance is configured with, read once per adapter.
 *
 * Secrets (from the Azure Bot registration):
 * - `appId`: the bot's Microsoft App ID. Inbound tokens must be issued for it (`aud`), and it is the identity we
 *   get outbound tokens for. Required unless `settings.authDisabled`.
 * - `appPassword`: the client secret used for outbound tokens (MSAL client credentials).
 * - `tenantId`: the bot's home tenant (single-tenant bots; it also picks the default Entra issuers).
 *
 * Settings (all optional; the defaults are production Teams):
 * - `authDisabled: true`: accept unsigned activities and send without tokens, for the Bot Framework Emulator or a
 *   local peer only. Refused when NODE_ENV=production.
 * - `authorityEndpoint`: the Entra authority whose `/discovery/v2.0/keys` holds the signing keys of tokens not
 *   issued by `https://api.botframework.com` (tests: the peer plus a tenant path). Default login.microsoftonline.com.
 * - `issuers`: accepted token issuers. Default: Bot Framework's and the tenant's Entra issuers (the SDK's list).
 * - `sidecarBaseUrl`: get outbound tokens from an Entra auth sidecar (`GET /AuthorizationHeaderUnauthenticated/
 *   default`) instead of MSAL; the SDK only allows loopback or private addresses (tests: the peer).
 * - `allowedServiceHosts`: hosts a serviceUrl may point at besides Microsoft's own (tests: `127.0.0.1`). Outbound
 *   calls carry the bot's token, so it must never go to a host an activity made up.
 * - `serviceUrl`: the desk's default serviceUrl when a desk target does not carry one (e.g.
 *   `https://smba.trafficmanager.net/teams/`).
 * - `botName`: the name our outgoing activities carry in `from`.
 */
export interface TeamsConfig {
  channelId: string;
  appId?: string | undefined;
  appPassword?: string | undefined;
  tenantId?: string | undefined;
  authDisabled: boolean;
  authorityEndpoint?: string | undefined;
  issuers?: string[] | undefined;
  sidecarBaseUrl?: string | undefined;
  allowedServiceHosts: string[];
  serviceUrl?: string | undefined;
  botName?: string | undefined;
}

/** Reads and checks a channel's configuration; throws (at adapter construction) when it would be unsafe. */
export function readTeamsConfig(channel: ChannelInstance, env: NodeJS.ProcessEnv = process.env): TeamsConfig {
  const s = channel.settings;
  const text = (key: string) => (typeof s[key] === 'string' && s[key] ? (s[key] as string) : undefined);
  const list = (key: string) => (Array.isArray(s[key]) ? (s[key] as unknown[]).filter((v): v is string => typeof v === 'string') : undefined);
  const config: TeamsConfig = {
    channelId: channel.id,
    appId: channel.secrets.appId || undefined,
    appPassword: channel.secrets.appPassword || undefined,
    tenantId: channel.secrets.tenantId || undefined,
    authDisabled: s.authDisabled === true,
    authorityEndpoint: text('authorityEndpoint'),
    issuers: list('issuers'),
    sidecarBaseUrl: text('sidecarBaseUrl'),
    allowedServiceHosts: list('allowedServiceHosts') ?? [],
    serviceUrl: text('serviceUrl'),
    botName: text('botName'),
  };
  if (config.authDisabled && (env.NODE_ENV ?? '').toLowerCase() === 'production') {
    // An unauthenticated bot endpoint lets anyone on the internet speak as any Teams user: never in production.
    throw new Error(`Teams channel "${channel.id}": settings.authDisabled is not allowed when NODE_ENV=production; configure secrets.appId/appPassword`);
  }
  if (!config.authDisabled && !config.appId) {
    // Without an app id there is no audience to check tokens against; failing here beats 401-ing every activity.
    throw new Error(`Teams channel "${channel.id}": secrets.appId is required (or settings.authDisabled: true outside production)`);
  }
  return config;
}

/**
 * The SDK's connection settings for this channel, built explicitly rather than with getAuthConfigWithDefaults so
 * nothing leaks in from process-wide environment variables (each channel is its own bot). `connections` must
 * hold the connection itself: authorizeJWT finds the configuration by the token's audience there.
 */
export function toAuthConfiguration(config: TeamsConfig, timeoutMs: number): AuthConfiguration {
  const connection: AuthConfiguration = {
    clientId: config.appId ?? '',
    ...(config.tenantId ? { tenantId: config.tenantId } : {}),
    ...(config.authorityEndpoint ? { authorityEndpoint: config.authorityEndpoint, authority: config.authorityEndpoint } : {}),
    ...(config.issuers?.length ? { issuers: config.issuers } : {}),
    // Off by default in the SDK: without it a validly signed token from any issuer sharing the keys would pass.
    validateIssuer: true,
    ...(config.sidecarBaseUrl
      ? // Our outbox owns retries: the sidecar client must fail fast.
        { authType: 'EntraAuthSideCar', sidecarBaseUrl: config.sidecarBaseUrl, retryCount: 0, requestTimeout: timeoutMs }
      : { authType: 'ClientSecret', clientSecret: config.appPassword ?? '', msalRetryCount: 0 }),
  };
  return { ...connection, connections: new Map([['serviceConnection', connection]]) };
}
