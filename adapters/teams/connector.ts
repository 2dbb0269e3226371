import {
  ConnectorClient,
  createOutboundHostValidator,
  HttpClient,
  MsalTokenProvider,
  SidecarAuthProvider,
  type AuthConfiguration,
  type AuthProvider,
  type HttpClientOptions,
  type HttpRequestConfig,
  type HttpResponse,
  type OutboundUrlPolicy,
} from '@microsoft/agents-hosting';
import { AdapterError } from '../types';
import type { TeamsConfig } from './config';

/** The audience of tokens for the Bot Framework connector (MSAL appends `/.default`). */
const BOT_FRAMEWORK_SCOPE = 'https://api.botframework.com';

/**
 * The SDK's HttpClient sends with global fetch and neither the connector client nor its methods take a timeout.
 * Every request gets one here (an AbortSignal), so a hanging connector cannot hold a delivery lease.
 */
class TimedHttpClient extends HttpClient {
  constructor(
    options: HttpClientOptions,
    private readonly timeoutMs: number,
  ) {
    super(options);
  }

  override request<T = unknown>(config: HttpRequestConfig): Promise<HttpResponse<T>> {
    return super.request<T>({ ...config, signal: config.signal ?? AbortSignal.timeout(this.timeoutMs) });
  }
}

/** The SDK's ConnectorClient (paths, headers, activity normalization) over the timed HTTP client. */
class TimedConnectorClient extends ConnectorClient {
  static create(serviceUrl: string, token: string, timeoutMs: number): ConnectorClient {
    // createClientWithToken builds the headers (Authorization, User-Agent, JSON); we only swap the transport.
    const plain = ConnectorClient.createClientWithToken(serviceUrl, token);
    return new TimedConnectorClient(new TimedHttpClient({ baseURL: serviceUrl, headers: plain.httpClient.defaultHeaders }, timeoutMs));
  }
}

/**
 * Connector clients for one channel: checks the serviceUrl's host, then gets the bot's token (MSAL client
 * credentials, or the Entra sidecar; both cache tokens) unless auth is disabled. No retries anywhere: the outbox
 * owns them.
 */
export class TeamsConnector {
  private readonly tokens: AuthProvider | undefined;
  private readonly hosts: OutboundUrlPolicy;

  constructor(
    private readonly config: TeamsConfig,
    private readonly authConfig: AuthConfiguration,
    private readonly timeoutMs: number,
  ) {
    this.tokens = !config.appId ? undefined : config.sidecarBaseUrl ? new SidecarAuthProvider(authConfig) : new MsalTokenProvider(authConfig);
    this.hosts = createOutboundHostValidator({ enabled: true, includeDefaultMicrosoftHosts: true, hosts: config.allowedServiceHosts });
  }

  async client(serviceUrl: string | undefined): Promise<ConnectorClient> {
    if (!serviceUrl) throw new AdapterError('rejected', 'the address has no serviceUrl', { channel: 'teams', platformCode: 'no_service_url', retryable: false });
    if (!this.hosts.isAllowed(serviceUrl)) {
      throw new AdapterError('rejected', `serviceUrl host of ${serviceUrl} is not allowed (settings.allowedServiceHosts)`, {
        channel: 'teams',
        platformCode: 'service_url_not_allowed',
        retryable: false,
      });
    }
    let token = '';
    if (this.tokens) {
      try {
        token = await this.tokens.getAccessToken(this.authConfig, BOT_FRAMEWORK_SCOPE);
      } catch (err) {
        throw new AdapterError('unavailable', `could not get a Bot Framework token for ${this.config.appId}: ${(err as Error)?.message ?? String(err)}`, {
          channel: 'teams',
          platformCode: 'token',
        });
      }
    }
    return TimedConnectorClient.create(serviceUrl, token, this.timeoutMs);
  }
}
