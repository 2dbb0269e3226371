/**
 * The console API's shapes: the one thing the browser code (console/) shares with the server. Types only, so the
 * bundle never pulls server code in.
 */

export interface InboxRow {
  id: string;
  customer: string;
  channelKind: string;
  channelId: string;
  status: 'bot' | 'pending' | 'assigned' | 'resolved';
  priority: 'low' | 'normal' | 'high' | 'urgent';
  team: string | null;
  reason: string | null;
  assigneeName: string | null;
  mine: boolean;
  escalatedAt: string;
  slaDueAt: string | null;
  lastInboundAt: string | null;
  intent: string | null;
  sentiment: string | null;
}

export interface Reading {
  language: string | null;
  intent: string | null;
  intentConfidence: number | null;
  outOfScope: boolean;
  sentiment: string | null;
  frustration: number | null;
  decision: string | null;
  reason: string | null;
  answerScore: number | null;
  answerSource: string | null;
  team: string | null;
  priority: string | null;
  provider: string | null;
}

export interface MessageView {
  id: string;
  direction: 'inbound' | 'outbound';
  author: { kind: string; name: string | null };
  text: string;
  internal: boolean;
  at: string;
  files: Array<{ name: string; mimeType: string | null; url: string }>;
  citations: Array<{ title: string; url: string | null }>;
  delivery: { status: string; error: string | null } | null;
  reading: Reading | null;
}

export interface ConversationView {
  id: string;
  status: InboxRow['status'];
  priority: InboxRow['priority'];
  team: string | null;
  channelKind: string;
  channelId: string;
  reason: string | null;
  assigneeName: string | null;
  mine: boolean;
  escalatedAt: string | null;
  resolvedAt: string | null;
  csat: number | null;
  customer: { name: string; email: string | null; phone: string | null; vip: boolean; channels: string[] };
  assist: { summary: string; suggestion: { text: string; citations: Array<{ title: string; url?: string }> } | null } | null;
  messages: MessageView[];
  colleagues: Array<{ name: string; typing: boolean }>;
}

export interface Live<T> {
  version: string;
  data: T;
}

export interface Me {
  user?: { id: string; email: string; name: string; role: string; teams: string[] };
  name: string;
  role: string;
  permissions: string[];
  csrf?: string;
  teams: string[];
}

export interface ChannelView {
  id: string;
  kind: string;
  name: string;
  enabled: boolean;
  settings: Record<string, unknown>;
  /** Names only: secret values never leave the server. */
  secrets: string[];
  missing: { secrets: string[]; settings: string[] };
  webhookUrl: string | null;
  next: string | null;
  connection: { state: string; holder: string | null; detail: string | null; updatedAt: string | null } | null;
}

export interface KnowledgeDocumentView {
  id: string;
  title: string;
  sourceType: string;
  sections: number;
  contentHash: string;
  updatedAt: string;
}

export interface PlaygroundResult {
  decision: string;
  reply: string;
  citations: Array<{ title: string; url: string | null }>;
  confidence: number | null;
  reason: string | null;
  intent: string | null;
  intentConfidence: number | null;
  language: string | null;
  team: string | null;
  priority: string | null;
  passages: Array<{ id: string; title: string; heading: string | null; score: number; text: string }>;
}

/** An admin file as the console edits it: the YAML in force and where it came from. */
export interface AdminFileResponse {
  yaml: string;
  revision: number;
  origin: 'file' | 'console';
  updatedAt: string | null;
  updatedBy: string | null;
}

export interface IntentSummary {
  name: string;
  team: string | null;
  priority: string;
  escalate: boolean;
  canned: boolean;
  examples: number;
}

/** The knowledge folder's re-ingest as the console follows it. */
export interface IngestJobView {
  status: 'running' | 'done' | 'failed';
  startedAt: string;
  startedBy: string;
  total: number | null;
  done: number;
  currentFile: string | null;
  finishedAt: string | null;
  report: { added: number; updated: number; unchanged: number; failed: number; failures: Array<{ file: string; reason: string }> } | null;
  error: string | null;
}

export interface AuditView {
  id: string;
  at: string;
  actor: string;
  action: string;
  outcome: string;
  target: string | null;
  ip: string | null;
  diff: Record<string, unknown> | null;
  detail: string | null;
}

/** The reports' shapes are the reporting model's own (src/reporting/figures.ts). */
export type { DurationFigure, Figures, GapGroup, Overview } from '../../reporting/figure-types';

/** One row of a drill-down: what the list shows of an episode, and its conversation for the link. */
export interface ReportConversation {
  id: string;
  conversationId: string;
  startedAt: string;
  channelKind: string;
  team: string;
  intent: string;
  language: string;
  aiResolved: boolean;
  aiResolution: 'confirmed' | 'assumed' | null;
  handedOff: boolean;
  handoffReason: string | null;
  resolved: boolean;
  csat: number | null;
}

export interface QueueReport {
  slaMinutes: number;
  teams: Array<{ team: string; waiting: number; unassigned: number; slaAtRisk: number; oldestWaitingS: number }>;
}
