import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import type { Embedder } from '../../knowledge/embedder';
import { ingestPath, type IngestProgress, type IngestReport } from '../../knowledge/ingest';
import { ConfigError, loadConfig } from '../config';
import { openCliStore, type CliStore } from './store';

export interface KnowledgeIngestOptions {
  prune?: boolean;
  baseUrl?: string;
  /** commander's `--no-embed` sets this to false. */
  embed?: boolean;
}

/** Seams for tests: output streams, environment and the embedder (undefined: none; default: the embedded model). */
export interface KnowledgeIngestIo {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
  loadEmbedder?: () => Promise<Embedder | undefined>;
}

/**
 * `switchboard knowledge ingest <path>`: brings the knowledge base in MongoDB (MONGODB_URI, else the embedded store
 * under DATA_DIR) in line with a folder of markdown, HTML, text and PDF files. Progress goes to stderr (a bar on a
 * terminal, a line per file otherwise), the JSON summary to stdout. Exit code 1 when a file could not be ingested
 * (the others are), 2 for bad input.
 */
export async function knowledgeIngestCommand(path: string, opts: KnowledgeIngestOptions, io: KnowledgeIngestIo = {}): Promise<IngestReport | undefined> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const fail = (message: string, code: number) => {
    stderr.write(`${message}\n`);
    process.exitCode = code;
    return undefined;
  };

  let config;
  try {
    config = loadConfig(io.env ?? process.env);
  } catch (err) {
    if (err instanceof ConfigError) return fail(`${err.message}\nSee .env.example for every setting.`, 2);
    throw err;
  }
  const root = resolve(path);
  if (!existsSync(root)) return fail(`${path}: no such file or folder`, 2);
  const baseUrl = opts.baseUrl ?? (config.PUBLIC_URL ? `${config.PUBLIC_URL.replace(/\/$/, '')}/help` : undefined);
  if (baseUrl && !/^https?:\/\//i.test(baseUrl)) return fail(`--base-url must be an http(s) URL, got ${baseUrl}`, 2);

  let store: CliStore | undefined;
  let embedder: Embedder | undefined;
  const bar = stderr.isTTY
    ? new SingleBar(
        { stream: stderr, format: 'Ingesting [{bar}] {value}/{total} {file}', hideCursor: true, clearOnComplete: false, etaBuffer: 20 },
        Presets.shades_classic,
      )
    : undefined;
  try {
    try {
      store = await openCliStore(config, stderr);
    } catch (err) {
      return fail((err as Error).message, 1);
    }
    const connection = store.connection;

    if (opts.embed !== false) embedder = await (io.loadEmbedder ?? (() => loadEmbedder(stderr)))();

    const onProgress = (e: IngestProgress) => {
      if (e.kind === 'start') bar?.start(e.total, 0, { file: '' });
      else if (e.kind === 'file') {
        if (bar) bar.update(e.done, { file: e.file });
        else stderr.write(`[${e.done}/${e.total}] ${e.file}: ${e.status}${e.reason ? ` (${e.reason})` : ''}\n`);
      } else if (e.kind === 'done') bar?.stop();
    };
    let report: IngestReport;
    try {
      report = await ingestPath(connection, root, { ...(baseUrl ? { baseUrl } : {}), prune: !!opts.prune, ...(embedder ? { embedder } : {}), onProgress });
    } catch (err) {
      bar?.stop();
      if ((err as Error).message.startsWith('--prune')) return fail((err as Error).message, 2);
      throw err;
    }
    if (bar) for (const f of report.failures) stderr.write(`${f.file}: ${f.reason}\n`);
    if (report.failed > 0) {
      stderr.write(`${report.failed} file(s) could not be ingested; the others were.\n`);
      process.exitCode = 1;
    }
    stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return report;
  } finally {
    await (embedder as { close?: () => Promise<void> } | undefined)?.close?.().catch(() => undefined);
    await store?.close();
  }
}

/** The embedded sentence-embedding model (src/brain/embeddings), or undefined (keyword retrieval only) when unavailable. */
async function loadEmbedder(stderr: NodeJS.WritableStream): Promise<Embedder | undefined> {
  const { loadEmbeddedEmbedder } = require('../brain/embeddings') as typeof import('../brain/embeddings');
  const embedder = await loadEmbeddedEmbedder({ log: (line) => stderr.write(`${line}\n`) });
  if (!embedder) stderr.write('Ingesting without vectors; a later run with the model embeds what is missing.\n');
  return embedder;
}
