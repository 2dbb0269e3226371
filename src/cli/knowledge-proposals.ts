import { userInfo } from 'node:os';
import type { Connection } from 'mongoose';
import { createModels } from '../../conversations/models';
import type { Embedder } from '../../knowledge/embedder';
import { approveProposal, listProposals, ProposalError, rejectProposal, type ProposalRecord, type ProposalStatus } from '../../knowledge/proposals';
import { ConfigError, loadConfig, type Config } from '../config';
import { knowledgeGaps, type GapReport } from '../learning/gaps';
import { openCliStore } from './store';

/**
 * `switchboard knowledge proposals | approve | reject | gaps`: an admin's review of what the bot learned from
 * agents, and of what it could not answer. They work on the configured MongoDB while gateways run on it (with the
 * embedded store, only when no gateway holds its file); gateways pick up an approval or a rejection within
 * KNOWLEDGE_REFRESH_MS, without a restart. Exit code 2 for bad input (an unknown id), 1 when the store is unreachable.
 */
export interface KnowledgeReviewIo {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
  /** The embedder an approved entry is embedded with (undefined: none, gateways embed it); default: the embedded model. */
  loadEmbedder?: () => Promise<Embedder | undefined>;
  clock?: () => Date;
}

export interface ProposalsListOptions {
  /** proposed (default), approved, rejected or all. */
  status?: string;
  json?: boolean;
}

export interface ApproveCliOptions {
  title?: string;
  question?: string;
  answer?: string;
  /** Recorded as the approver; default: the OS user. */
  by?: string;
  /** commander's `--no-embed` sets this to false. */
  embed?: boolean;
}

export interface GapsCliOptions {
  days?: string;
  limit?: string;
  json?: boolean;
}

const STATUSES = new Set(['proposed', 'approved', 'rejected', 'all']);

export async function knowledgeProposalsCommand(opts: ProposalsListOptions, io: KnowledgeReviewIo = {}): Promise<ProposalRecord[] | undefined> {
  const status = opts.status ?? 'proposed';
  if (!STATUSES.has(status)) return fail(io, `--status must be proposed, approved, rejected or all, got ${status}`, 2);
  return withStore(io, async (connection, stdout) => {
    const rows = await listProposals(connection, status === 'all' ? {} : { status: status as ProposalStatus });
    if (opts.json) stdout.write(`${JSON.stringify(rows.map(publicView), null, 2)}\n`);
    else if (rows.length === 0) stdout.write(`No ${status === 'all' ? '' : `${status} `}proposals.\n`);
    else for (const row of rows) stdout.write(describe(row));
    return rows;
  });
}

export async function knowledgeApproveCommand(id: string, opts: ApproveCliOptions, io: KnowledgeReviewIo = {}): Promise<ProposalRecord | undefined> {
  return withStore(io, async (connection, stdout, config) => {
    const embedder = opts.embed === false || config.EMBEDDINGS !== 'embedded' ? undefined : await (io.loadEmbedder ?? (() => loadEmbedder(io.stderr ?? process.stderr)))();
    try {
      const approved = await approveProposal(connection, id, {
        ...(opts.title !== undefined ? { title: opts.title } : {}),
        ...(opts.question !== undefined ? { question: opts.question } : {}),
        ...(opts.answer !== undefined ? { answer: opts.answer } : {}),
        by: opts.by ?? approver(),
        now: (io.clock ?? (() => new Date()))(),
        ...(embedder ? { embedder } : {}),
      });
      stdout.write(
        `Approved ${approved._id}: customers asking "${approved.question.split('\n')[0]}" are answered from "${approved.title}" ` +
          `(running gateways load it within KNOWLEDGE_REFRESH_MS, ${config.KNOWLEDGE_REFRESH_MS} ms).\n`,
      );
      return approved;
    } finally {
      await (embedder as { close?: () => Promise<void> } | undefined)?.close?.().catch(() => undefined);
    }
  });
}

export async function knowledgeRejectCommand(id: string, opts: { by?: string }, io: KnowledgeReviewIo = {}): Promise<ProposalRecord | undefined> {
  return withStore(io, async (connection, stdout) => {
    const rejected = await rejectProposal(connection, id, { by: opts.by ?? approver(), now: (io.clock ?? (() => new Date()))() });
    stdout.write(`Rejected ${rejected._id}: it is not (or no longer) part of the knowledge base.\n`);
    return rejected;
  });
}

export async function knowledgeGapsCommand(opts: GapsCliOptions, io: KnowledgeReviewIo = {}): Promise<GapReport | undefined> {
  const days = Number(opts.days ?? '30');
  const limit = Number(opts.limit ?? '20');
  if (!Number.isFinite(days) || days <= 0) return fail(io, `--days must be a positive number, got ${opts.days}`, 2);
  if (!Number.isInteger(limit) || limit <= 0) return fail(io, `--limit must be a positive whole number, got ${opts.limit}`, 2);
  return withStore(io, async (connection, stdout) => {
    const now = (io.clock ?? (() => new Date()))();
    const report = await knowledgeGaps(createModels(connection), { since: new Date(now.getTime() - days * 86_400_000), limit });
    stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : describeGaps(report, days));
    return report;
  });
}

async function withStore<T>(io: KnowledgeReviewIo, work: (connection: Connection, stdout: NodeJS.WritableStream, config: Config) => Promise<T>): Promise<T | undefined> {
  const stderr = io.stderr ?? process.stderr;
  let config: Config;
  try {
    config = loadConfig(io.env ?? process.env);
  } catch (err) {
    if (err instanceof ConfigError) return fail(io, `${err.message}\nSee .env.example for every setting.`, 2);
    throw err;
  }
  let store;
  try {
    store = await openCliStore(config, stderr);
  } catch (err) {
    return fail(io, (err as Error).message, 1);
  }
  try {
    return await work(store.connection, io.stdout ?? process.stdout, config);
  } catch (err) {
    if (err instanceof ProposalError) return fail(io, err.message, 2);
    throw err;
  } finally {
    await store.close();
  }
}

function fail(io: KnowledgeReviewIo, message: string, code: number): undefined {
  (io.stderr ?? process.stderr).write(`${message}\n`);
  process.exitCode = code;
  return undefined;
}

function approver(): string {
  try {
    return userInfo().username;
  } catch {
    return 'admin';
  }
}

function publicView(row: ProposalRecord) {
  const { _id, answerKeys: _keys, ...rest } = row;
  return { id: _id, ...rest };
}

function describe(row: ProposalRecord): string {
  const who = [row.agentName, row.team ? `team ${row.team}` : undefined].filter(Boolean).join(', ');
  const decided = row.decidedBy ? ` by ${row.decidedBy} ${row.decidedAt?.toISOString() ?? ''}` : '';
  return [
    `${row._id}  ${row.status}${decided}  ${row.createdAt.toISOString()}${who ? `  (${who})` : ''}`,
    ...(row.title ? [`  Title: ${row.title}`] : []),
    ...indent('Q', row.question),
    ...indent('A', row.answer),
    '',
  ].join('\n') + '\n';
}

function indent(label: string, text: string): string[] {
  return text.split('\n').map((line, i) => `  ${i === 0 ? `${label}:` : '  '} ${line}`);
}

function describeGaps(report: GapReport, days: number): string {
  const reasons = Object.entries(report.counts.byReason).map(([r, n]) => `${r} ${n}`).join(', ');
  const lines = [`Knowledge gaps in the last ${days} day(s): ${report.counts.unhelpful} answer(s) rated 👎, ${report.counts.abstained} question(s) handed over unanswered${reasons ? ` (${reasons})` : ''}.`];
  if (report.unhelpfulSources.length) {
    lines.push('', 'Sources rated 👎:');
    for (const s of report.unhelpfulSources) lines.push(`  ${s.count}×  ${s.title ?? s.id ?? '(none)'}${s.id && s.title ? `  [${s.id}]` : ''}`);
  }
  if (report.repeatedQuestions.length) {
    lines.push('', 'Asked more than once:');
    for (const q of report.repeatedQuestions) lines.push(`  ${q.count}×  ${q.question}`);
  }
  if (report.recent.length) {
    lines.push('', 'Most recent:');
    for (const item of report.recent) {
      const what = item.kind === 'unhelpful' ? `👎 on "${item.source?.title ?? item.source?.id ?? 'an answer'}"` : `handed over (${item.reason})`;
      const proposal = item.proposal ? `  [proposal ${item.proposal.id}, ${item.proposal.status}]` : '';
      lines.push(`  ${item.at.toISOString()}  ${what}: ${item.question || '(no question text)'}${proposal}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The embedded sentence-embedding model, or undefined (the gateways embed the entry when they load it). */
async function loadEmbedder(stderr: NodeJS.WritableStream): Promise<Embedder | undefined> {
  const { loadEmbeddedEmbedder } = require('../brain/embeddings') as typeof import('../brain/embeddings');
  return loadEmbeddedEmbedder({ log: (line) => stderr.write(`${line}\n`) });
}
