import { z } from 'zod';

/**
 * The only place that reads the environment. Everything else receives a typed `Config`.
 * A bad value stops the start with a message naming the variable, so operators fix it before traffic arrives.
 */
const numberFrom = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

/**
 * A rate limit: "<points>/<seconds>" (e.g. "20/60": 20 per minute), or "off". One window per key, shared by every
 * gateway process on the same store.
 */
const rateLimit = (fallback: string) =>
  z
    .string()
    .regex(/^(off|\d+\/\d+)$/, 'must be "<count>/<seconds>" (e.g. "20/60") or "off"')
    .default(fallback)
    .transform((v) => {
      if (v === 'off') return undefined;
      const [points, seconds] = v.split('/').map(Number) as [number, number];
      return points > 0 && seconds > 0 ? { points, durationSec: seconds } : undefined;
    });

/**
 * Express `trust proxy`: which hops may set X-Forwarded-For, so per-IP limits see the client behind a load
 * balancer. "false" (default): the socket's peer is the client. "true": trust every hop (only behind a proxy that
 * overwrites the header). A number: that many hops. Otherwise a comma list of addresses or subnets
 * ("loopback", "10.0.0.0/8", "uniquelocal"…).
 */
const trustProxy = z
  .string()
  .min(1)
  .default('false')
  .transform((v): boolean | number | string[] => {
    if (v === 'false' || v === 'off') return false;
    if (v === 'true') return true;
    if (/^\d+$/.test(v)) return Number(v);
    return v.split(',').map((s) => s.trim()).filter(Boolean);
  });

const schema = z.object({
  PORT: numberFrom(3000, 0).pipe(z.number().max(65535)),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_URL: z.url().optional(),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SWITCHBOARD_ENCRYPTION_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/=]{43,44}$|^[0-9a-fA-F]{64}$/, 'must be 32 bytes, as 64 hex characters or base64')
    .optional(),
  /**
   * A folder of help-centre documents brought into MongoDB at every start (unchanged files cost no writes).
   * "none": the knowledge base is managed with `switchboard knowledge ingest` only.
   */
  KNOWLEDGE_DIR: z.string().min(1).default('./knowledge/demo'),
  /** Where chunk links point: <KNOWLEDGE_BASE_URL>/<document>#<section>. Default PUBLIC_URL/help. */
  KNOWLEDGE_BASE_URL: z.url().optional(),
  /**
   * How often (at most, in ms) a gateway checks whether the knowledge base changed (an approved learned entry, an
   * ingest by the CLI) and reloads it in the background; 0: before every question, which waits for it.
   */
  KNOWLEDGE_REFRESH_MS: numberFrom(5_000, 0),
  /**
   * Vectors for retrieval and sentiment: "embedded" (MiniLM from Maven Central, offline once prepared), "openai"
   * (the provider's embedding model), or "off" (keyword retrieval only).
   */
  EMBEDDINGS: z.enum(['embedded', 'openai', 'off']).default('embedded'),
  EMBEDDINGS_THREADS: numberFrom(1, 1),
  MAX_BODY_BYTES: numberFrom(1_048_576, 1024),
  /** Events one webhook request may carry (Meta batches at most 1,000); above it the request is refused with 413. */
  WEBHOOK_MAX_EVENTS: numberFrom(1_000, 1),
  WORKERS: numberFrom(4, 0),
  LEASE_MS: numberFrom(30_000, 100),
  POLL_MS: numberFrom(250, 5),
  DELIVERY_MAX_ATTEMPTS: numberFrom(8, 1),
  /**
   * Processing attempts for one inbound message, counted when each starts: after this many that failed or never
   * finished (a hang, a killed worker), the message is quarantined and people take the conversation.
   */
  PROCESS_MAX_ATTEMPTS: numberFrom(5, 1),
  /**
   * The brain (analysis, retrieval, a provider's prompt) reads at most this many characters of a message, on every
   * channel; the full text stays stored for agents. Bounds the CPU one message can cost.
   */
  BRAIN_MAX_CHARS: numberFrom(4000, 100),
  DELIVERY_BASE_DELAY_MS: numberFrom(1_000, 1),
  DELIVERY_MAX_DELAY_MS: numberFrom(300_000, 1),
  DELIVERY_TIMEOUT_MS: numberFrom(10_000, 100),
  /** Deliver a reply from the worker that wrote it (no queue hop); failures still retry through the outbox. */
  INLINE_DELIVERY: z.stringbool().default(true),
  /** Intent files (one YAML per intent) and routing rules an admin edits; see knowledge/intents and knowledge/routing.yaml. */
  INTENTS_DIR: z.string().min(1).default('./knowledge/intents'),
  ROUTING_FILE: z.string().min(1).default('./knowledge/routing.yaml'),
  /** Retrieval confidence (0 … 1) below which the brain abstains and hands over with reason "low_confidence". */
  ANSWER_MIN_SCORE: z.coerce.number().min(0).max(1).default(0.35),
  /** Languages the knowledge base is written in (comma-separated); the embedded brain quotes it and cannot translate. */
  KNOWLEDGE_LANGUAGES: z
    .string()
    .regex(/^[a-z]{2}(,[a-z]{2})*$/, 'comma-separated ISO 639-1 codes, e.g. "en,de"')
    .default('en')
    .transform((v) => v.split(',')),
  /** Calibrated retrieval confidence (0 … 1) below which the brain abstains, for an encoder without a fitted answerability model (the shipped one has its own threshold); ANSWER_MIN_SCORE is the keyword-only rule. */
  ANSWER_MIN_CONFIDENCE: z.coerce.number().min(0).max(1).default(0.75),
  /**
   * Intent confidence below which a message is out of scope (fits none of the admin's intents). Unset: 0.4 with the
   * shared encoder (which also needs a cosine of 0.64 to some intent example), 0.5 for the lexical model alone —
   * the rules `switchboard eval intents` measures with and without `--no-embeddings`.
   */
  INTENT_MIN_CONFIDENCE: z.coerce.number().min(0).max(1).optional(),
  /** An intent's canned answer is sent only above this confidence; otherwise the knowledge base answers. */
  CANNED_ANSWER_MIN_CONFIDENCE: z.coerce.number().min(0).max(1).default(0.7),
  /** Set: analysis, embeddings and grounded answers by an OpenAI-compatible server, the embedded brain as fallback. */
  OPENAI_API_KEY: z.string().min(1).optional(),
  /** Azure OpenAI (https://<resource>.openai.azure.com/openai/v1/), Ollama (http://localhost:11434/v1), vLLM… */
  OPENAI_BASE_URL: z.url().optional(),
  OPENAI_MODEL: z.string().min(1).default('gpt-4o-mini'),
  /** "none": no provider embeddings (the embedded model or keyword search serve retrieval). */
  OPENAI_EMBEDDING_MODEL: z.string().min(1).default('text-embedding-3-small'),
  OPENAI_EMBEDDING_DIMENSIONS: z.coerce.number().int().min(1).optional(),
  OPENAI_TIMEOUT_MS: numberFrom(15_000, 100),
  OPENAI_MAX_RETRIES: numberFrom(2, 0),
  /** Token ceilings per process (0 = unlimited); past them the embedded brain answers. */
  OPENAI_DAILY_TOKEN_BUDGET: numberFrom(1_000_000, 0),
  OPENAI_CONVERSATION_TOKEN_BUDGET: numberFrom(20_000, 0),
  OPENAI_MAX_ANSWER_TOKENS: numberFrom(500, 16),
  /** Older Ollama builds read only "max_tokens". */
  OPENAI_MAX_TOKENS_FIELD: z.enum(['max_completion_tokens', 'max_tokens']).default('max_completion_tokens'),
  OPENAI_TEMPERATURE: z.coerce.number().min(0).max(2).optional(),
  AI_DISCLOSURE: z.string().default("I'm Switchboard, an AI assistant. Type \"human\" at any time to reach a person."),
  /** Both set: a Slack workspace is a customer channel at /webhooks/slack (README: "Connect Slack"). */
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_BOT_TOKEN: z.string().regex(/^xoxb-/, 'a bot token starts with xoxb-').optional(),
  /**
   * Set (with SLACK_BOT_TOKEN): the `slack` channel receives over Socket Mode instead of /webhooks/slack (no public
   * URL; SLACK_SIGNING_SECRET then optional). One process at a time holds the socket, under CONNECTION_LEASE_MS.
   */
  SLACK_APP_TOKEN: z.string().regex(/^xapp-/, 'an app-level token starts with xapp-').optional(),
  /** Set: a Discord bot is a customer channel (id "discord", DMs and mentions over the gateway); one process at a time holds its connection. */
  DISCORD_BOT_TOKEN: z.string().min(1).optional(),
  /**
   * Stateful platform connections (the Discord gateway) run in one process at a time under a lease of this length,
   * renewed every third of it; a dead holder is replaced once it lapses.
   */
  CONNECTION_LEASE_MS: numberFrom(30_000, 300),
  /** Email channels: each IMAP mailbox is re-selected and read at this interval, besides IDLE's notifications. */
  IMAP_POLL_MS: numberFrom(60_000, 100),
  /** A Slack channel id (C…): escalations are posted there as threads for agents (the `slack` channel's bot). */
  SLACK_DESK_CHANNEL: z.string().regex(/^[CG][A-Z0-9]+$/, 'a Slack channel id such as C0123ABCD').optional(),
  /** All three set: a Microsoft Teams bot is a customer channel at /webhooks/teams (README: "Microsoft Teams"). */
  TEAMS_APP_ID: z.string().min(1).optional(),
  TEAMS_APP_PASSWORD: z.string().min(1).optional(),
  TEAMS_TENANT_ID: z.string().min(1).optional(),
  /** A Teams channel id (19:…@thread.tacv2): escalations are posted there as threads for agents. */
  TEAMS_DESK_CHANNEL: z.string().regex(/^19:.+@thread\.(tacv2|skype)$/, 'a Teams channel id such as 19:abc…@thread.tacv2').optional(),
  /** The Bot Connector endpoint of your tenant's region (activities carry it as serviceUrl). */
  TEAMS_SERVICE_URL: z.url().default('https://smba.trafficmanager.net/teams/'),
  /** Set with IMAP_HOST and SMTP_HOST: a support inbox as channel "email" (README: "Connect your support inbox"). */
  EMAIL_ADDRESS: z.email().optional(),
  EMAIL_NAME: z.string().min(1).default('Support'),
  EMAIL_SIGNATURE: z.string().optional(),
  IMAP_HOST: z.string().min(1).optional(),
  IMAP_PORT: numberFrom(993, 1),
  /** TLS from the first byte (993); false: plain, upgraded with STARTTLS when the server offers it (143). */
  IMAP_SECURE: z.stringbool().default(true),
  IMAP_USER: z.string().min(1).optional(),
  IMAP_PASSWORD: z.string().min(1).optional(),
  /** Folders read for new mail, comma-separated. */
  IMAP_MAILBOXES: z.string().min(1).default('INBOX').transform((v) => v.split(',').map((m) => m.trim()).filter(Boolean)),
  /** Processed mail is moved here; unset: it stays where it is, flagged. */
  IMAP_PROCESSED_FOLDER: z.string().min(1).optional(),
  SMTP_HOST: z.string().min(1).optional(),
  SMTP_PORT: numberFrom(465, 1),
  /** TLS from the first byte (465); false: STARTTLS when offered (587). */
  SMTP_SECURE: z.stringbool().default(true),
  SMTP_USER: z.string().min(1).optional(),
  SMTP_PASSWORD: z.string().min(1).optional(),
  /** A WhatsApp number on a linked phone (whatsapp-web.js) as channel "whatsapp-web"; scan the QR it prints. */
  WHATSAPP_WEB: z.stringbool().default(false),
  /**
   * Where LocalAuth keeps linked WhatsApp Web sessions (browser profiles): a directory that survives restarts, shared
   * by the gateway processes that may hold the session. Default: `<DATA_DIR>/whatsapp-web`.
   */
  WHATSAPP_WEB_DATA_DIR: z.string().min(1).optional(),
  /** Print WhatsApp Web login QR codes in this process's terminal. */
  WHATSAPP_WEB_PRINT_QR: z.stringbool().default(true),
  /** The Chromium whatsapp-web.js drives (Debian's `chromium` package); no browser is downloaded. */
  CHROMIUM_PATH: z.string().min(1).default('/usr/bin/chromium'),
  /** How long links to customers' files (shown to agents in desk threads) stay valid. */
  MEDIA_LINK_TTL_HOURS: z.coerce.number().positive().default(168),
  /** An owner's token for scripts and /admin pages (Bearer, or the Basic password), beside the console's own users and tokens. */
  ADMIN_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  /**
   * The Bearer token Prometheus sends to `GET /metrics`. Unset: `/metrics` answers 404 (metrics name channels and
   * show traffic; see docs/decisions.md, "Metrics and readiness").
   */
  METRICS_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  /** An agent's line starting with this stays an internal note in the desk thread. */
  DESK_NOTE_PREFIX: z.string().min(1).default('//'),
  /** Shown to customers instead of each agent's own name ("Support team"); unset: the agent's display name. */
  AGENT_ALIAS: z.string().min(1).optional(),
  /** Minutes an escalation may wait unclaimed before the thread gets a reminder (0: no reminders). */
  DESK_SLA_MINUTES: z.coerce.number().min(0).default(15),
  /** Reports: an answered customer who stays away this long counts as resolved by the AI (docs/metrics.md). */
  REPORT_ASSUME_RESOLVED_MINUTES: z.coerce.number().min(1).default(30),
  /** Reports: how often each process folds due outcomes and rebuilds the rollups of changed days (figures lag by this). */
  REPORT_ROLLUP_SECONDS: z.coerce.number().min(1).default(15),
  /** Reports: a resolution not reopened within this many days is durable. */
  REPORT_DURABLE_DAYS: z.coerce.number().min(1).default(7),
  /** Reports: intents that confirm the bot's answer helped ("thanks, that's it"), comma-separated. */
  REPORT_CONFIRM_INTENTS: z
    .string()
    .default('thanks')
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean)),
  /** Ask the customer for a 1–5 rating when an agent resolves the conversation. */
  CSAT_ON_RESOLVE: z.stringbool().default(true),
  TRUST_PROXY: trustProxy,
  /** Per client IP, every /admin request. */
  RATE_LIMIT_ADMIN: rateLimit('120/60'),
  /** Per client IP, failed admin sign-ins (wrong or missing token); once spent, even the right token waits. */
  RATE_LIMIT_ADMIN_AUTH_FAILURES: rateLimit('10/900'),
  /** Per client IP, web chat session requests (a page load asks for one). */
  RATE_LIMIT_WEBCHAT_SESSIONS: rateLimit('60/600'),
  /** Per visitor, web chat messages and button taps. */
  RATE_LIMIT_WEBCHAT_MESSAGES: rateLimit('20/60'),
  /** Per client IP, web chat messages of all its visitors (an office behind one address has many). */
  RATE_LIMIT_WEBCHAT_MESSAGES_PER_IP: rateLimit('120/60'),
  /** Per API key, `/api/v1` requests. */
  RATE_LIMIT_API: rateLimit('6000/60'),
  /** Per client IP and per email address, failed console sign-ins; once spent, even the right password waits. */
  RATE_LIMIT_SIGN_IN_FAILURES: rateLimit('10/900'),
  /** Console sign-in: signed out after this many minutes without a request. */
  CONSOLE_IDLE_MINUTES: z.coerce.number().positive().default(120),
  /** Console sign-in: signed out this many hours after signing in, whatever the activity. */
  CONSOLE_SESSION_HOURS: z.coerce.number().positive().default(12),
  /** How long the first-run setup link printed by `npm start` stays valid. */
  CONSOLE_SETUP_LINK_HOURS: z.coerce.number().positive().default(24),
  DEMO_API_KEY: z.string().min(16).optional(),
  DEMO_CALLBACK_URL: z.url().optional(),
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset" for operators who template .env files.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  return parsed.data;
}
