import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, buildConnector, fetch as undiciFetch, type Dispatcher } from 'undici';

/**
 * Outbound HTTP to the company's systems (tools, connectors, knowledge crawling) that cannot be turned against the
 * gateway's own network: an admin types a URL template, a customer fills its parameters, a remote server answers
 * with redirects. The rules:
 *
 * - https only, except for hosts an admin allow-lists by name (`allowHosts`), which may also be private;
 * - no userinfo in URLs; never one of the gateway's own origins (`selfOrigins`);
 * - the address actually connected to must be public unicast (no loopback, private, link-local — the cloud
 *   metadata address —, CGNAT, unique-local, NAT64, 6to4, reserved…), checked in the connector after DNS, so a
 *   name that resolves to 127.0.0.1, or re-resolves there later (DNS rebinding), is refused too;
 * - redirects are followed by hand, each hop checked again; credentials are not sent to another origin;
 * - a time limit and a byte limit on the answer.
 *
 * No maintained npm package does this for fetch/undici (request-filtering-agent and ssrf-req-filter are
 * http.Agent subclasses, which fetch ignores), so it is done here with undici's own connector hook.
 */
export interface OutboundPolicy {
  /** Lower-case host names (or IP literals) an admin allows over plain http and at private addresses. */
  allowHosts: readonly string[];
  /** Origins of this gateway (`https://support.example.com`, `http://127.0.0.1:3000`): never called. */
  selfOrigins: readonly string[];
  timeoutMs: number;
  /** Answers longer than this are refused (default 1 MiB, counted after decompression). */
  maxBytes?: number;
  maxRedirects?: number;
  /** Name resolution (default: the system's); tests give names their own answers. */
  lookup?: typeof dnsLookup;
}

export type BlockReason = 'scheme' | 'userinfo' | 'self' | 'address' | 'redirects' | 'too_large' | 'bad_url';

export class OutboundBlocked extends Error {
  override name = 'OutboundBlocked';
  readonly code = 'outbound_blocked';
  constructor(
    readonly reason: BlockReason,
    message: string,
  ) {
    super(message);
  }
}

export interface SafeResponse {
  status: number;
  headers: Headers;
  body: Buffer;
  /** The URL that answered (after redirects). */
  url: string;
}

const DEFAULT_MAX_BYTES = 1024 * 1024;
const DEFAULT_MAX_REDIRECTS = 5;

const bare = (host: string) => host.replace(/^\[|\]$/g, '').toLowerCase();

/** Whether an admin allow-listed this host by name (or literal). */
function allowListed(policy: OutboundPolicy, hostname: string): boolean {
  return policy.allowHosts.some((h) => bare(h) === bare(hostname));
}

/** Public unicast only; IPv4-mapped IPv6 is judged as the IPv4 address it maps. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

/** The checks a URL must pass before any connection (each redirect hop too). */
export function checkUrl(url: URL, policy: OutboundPolicy): void {
  if (url.username || url.password) throw new OutboundBlocked('userinfo', `${url.origin}: credentials in the URL are not allowed (use the tool's auth)`);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowListed(policy, url.hostname))) {
    throw new OutboundBlocked('scheme', `${url.origin}: only https is allowed, unless an admin allow-lists the host`);
  }
  if (policy.selfOrigins.some((o) => new URL(o).origin === url.origin)) throw new OutboundBlocked('self', `${url.origin} is this gateway`);
  const host = bare(url.hostname);
  if (isIP(host) && !allowListed(policy, host) && !isPublicAddress(host)) throw new OutboundBlocked('address', `${host} is not a public address`);
}

/**
 * An undici Agent whose connections go only to allowed addresses: names are resolved here and every answer must
 * be public (or the name allow-listed); IP literals, which skip name resolution, are checked before connecting; and
 * the socket's peer address is checked once more after it connected.
 */
export function createSafeAgent(policy: OutboundPolicy): Agent {
  const resolve = policy.lookup ?? dnsLookup;
  const safeLookup = ((hostname: string, options: { all?: boolean }, callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void) => {
    resolve(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, []);
      const refused = addresses.find((a) => !allowListed(policy, hostname) && !isPublicAddress(a.address));
      // All or nothing: connecting to the first public answer while a private one is among them invites races.
      if (refused) return callback(new OutboundBlocked('address', `${hostname} resolves to ${refused.address}, which is not a public address`), []);
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  }) as unknown as typeof dnsLookup;
  const connector = buildConnector({ timeout: policy.timeoutMs, lookup: safeLookup });
  return new Agent({
    headersTimeout: policy.timeoutMs,
    bodyTimeout: policy.timeoutMs,
    connect(options, callback) {
      const host = bare(options.hostname);
      if (isIP(host) && !allowListed(policy, host) && !isPublicAddress(host)) return callback(new OutboundBlocked('address', `${host} is not a public address`), null);
      connector(options, (err, socket) => {
        if (err || !socket) return callback(err ?? new Error('no socket'), null);
        const peer = socket.remoteAddress ?? '';
        if (!allowListed(policy, options.hostname) && !isPublicAddress(peer)) {
          socket.destroy();
          return callback(new OutboundBlocked('address', `${options.hostname} connected to ${peer}, which is not a public address`), null);
        }
        callback(null, socket);
      });
    },
  });
}

/** Headers that carry credentials: not sent on to another origin by a redirect. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization', 'x-api-key', 'x-shopify-access-token'];

export interface SafeRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Extra credential-bearing header names (an API-key header a tool declares). */
  secretHeaders?: readonly string[];
}

/** One request under `policy` through `agent`, following redirects by hand; throws OutboundBlocked or fetch errors. */
export async function safeFetch(target: string, request: SafeRequest, policy: OutboundPolicy, agent: Dispatcher): Promise<SafeResponse> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new OutboundBlocked('bad_url', `not a URL: ${target.slice(0, 200)}`);
  }
  let method = (request.method ?? 'GET').toUpperCase();
  let body = request.body;
  const headers = { ...(request.headers ?? {}) };
  const secret = new Set([...CREDENTIAL_HEADERS, ...(request.secretHeaders ?? []).map((h) => h.toLowerCase())]);
  const signal = AbortSignal.timeout(policy.timeoutMs);
  const maxRedirects = policy.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  for (let hop = 0; ; hop++) {
    checkUrl(url, policy);
    const res = await undiciFetch(url, { method, headers, ...(body !== undefined ? { body } : {}), redirect: 'manual', signal, dispatcher: agent }).catch((err: unknown) => {
      // fetch wraps what the connector refused in "fetch failed": the refusal is the answer.
      const cause = (err as { cause?: unknown }).cause;
      throw cause instanceof OutboundBlocked ? cause : err;
    });
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel();
      if (hop >= maxRedirects) throw new OutboundBlocked('redirects', `more than ${maxRedirects} redirects from ${target}`);
      const next = new URL(location, url);
      if (next.origin !== url.origin) for (const name of Object.keys(headers)) if (secret.has(name.toLowerCase())) delete headers[name];
      // 303, and 301/302 after a POST (what browsers do): the next request is a GET without a body.
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      url = next;
      continue;
    }
    return { status: res.status, headers: res.headers as unknown as Headers, body: await readCapped(res, policy.maxBytes ?? DEFAULT_MAX_BYTES, url), url: url.toString() };
  }
}

async function readCapped(res: Awaited<ReturnType<typeof undiciFetch>>, maxBytes: number, url: URL): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw new OutboundBlocked('too_large', `${url.origin} answered ${declared} bytes; the limit is ${maxBytes}`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body ?? []) {
    total += chunk.byteLength;
    if (total > maxBytes) throw new OutboundBlocked('too_large', `${url.origin} answered more than ${maxBytes} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
