import { bool, dateTime, int, list, num, obj, oneOf, orNull, ref, str, strings, type Schema } from './build';

/** Channels, knowledge and routing as the console administers them (channel-, knowledge-, routing-routes.ts). */
const text = orNull(str);

/** ChannelView: secrets by name only, their values never leave the server. */
export const ChannelView: Schema = obj({
  id: str,
  kind: str,
  name: str,
  enabled: bool,
  settings: { type: 'object' },
  secrets: strings,
  missing: obj({ secrets: strings, settings: strings }),
  webhookUrl: text,
  next: text,
  connection: orNull(obj({ state: str, holder: text, detail: text, updatedAt: orNull(dateTime) })),
});

const failures = list(obj({ file: str, reason: str }));
const counts = obj({ added: int, updated: int, unchanged: int, removed: int });

/** knowledge/ingest/index.ts IngestReport, for one uploaded file. */
const IngestReport: Schema = obj(
  { added: int, updated: int, unchanged: int, removed: int, failed: int, chunks: counts, embedded: int, vectorModel: str, ignored: int, failures, writes: int, durationMs: num },
  ['vectorModel'],
);

export const IngestJobView: Schema = obj({
  status: oneOf('running', 'done', 'failed'),
  startedAt: dateTime,
  startedBy: str,
  total: orNull(int),
  done: int,
  currentFile: text,
  finishedAt: orNull(dateTime),
  report: orNull(obj({ added: int, updated: int, unchanged: int, failed: int, failures })),
  error: text,
});

/** What the brain would do with a question (src/knowledge-admin.ts ask). */
const PlaygroundResult: Schema = obj({
  decision: str,
  reply: str,
  citations: list(obj({ title: str, url: text })),
  confidence: orNull(num),
  reason: text,
  intent: text,
  intentConfidence: orNull(num),
  language: text,
  team: text,
  priority: text,
  passages: list(obj({ id: str, title: str, heading: text, score: num, text: str })),
});

/** An admin file (routing.yaml, the intent catalog) as the console edits it: AdminFileResponse. */
const adminFile = { yaml: str, revision: int, origin: oneOf('file', 'console'), updatedAt: orNull(dateTime), updatedBy: text };

const IntentSummary: Schema = obj({ name: str, team: text, priority: str, escalate: bool, canned: bool, examples: int });

export const adminResponses = {
  channels: obj({ channels: list(ref('ChannelView')) }),
  channel: obj({ channel: ref('ChannelView') }),
  channelCreated: obj({ channel: ref('ChannelView'), generated: { type: 'object', additionalProperties: str } }, ['generated']),
  channelRemoved: obj({ removed: { const: true }, note: str }),
  documents: obj({ documents: list(obj({ id: str, title: str, sourceType: str, sections: int, contentHash: str, updatedAt: dateTime })) }),
  sections: obj({ sections: list(obj({ id: str, heading: text, text: str, contentHash: str, updatedAt: dateTime })) }),
  uploaded: obj({ report: IngestReport }),
  removed: obj({ removed: { const: true } }),
  job: obj({ job: ref('IngestJobView') }),
  jobOrNone: obj({ job: orNull(ref('IngestJobView')) }),
  playground: PlaygroundResult,
  routing: obj({ ...adminFile, teams: strings }),
  routingSaved: obj({ revision: int, teams: strings }),
  intents: obj({ ...adminFile, intents: list(IntentSummary) }),
  intentsSaved: obj({ revision: int, intents: list(IntentSummary) }),
  preview: obj({ decision: str, team: text, priority: text, reason: text, intent: text, intentConfidence: orNull(num), language: text }),
};

export const adminSchemas = { ChannelView, IngestJobView };
