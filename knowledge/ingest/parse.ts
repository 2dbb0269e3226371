import { createHash } from 'node:crypto';
import { buildChunks, KnowledgeParseError, parseMarkdown, titleFromFilename, type KnowledgeChunk, type Section } from '../chunk';
import type { SourceType } from '../store';
import { decodeText, normalizeText } from './decode';
import { parseHtml } from './html';
import { parsePdf } from './pdf';
import { parsePlainText, TEXT_CHUNK_CHARS } from './text';

/** Bump when parsing or chunking changes what a file turns into: every document is then re-chunked once. */
export const PARSER_VERSION = 1;

export const EXTENSIONS: Record<string, SourceType> = {
  '.md': 'md',
  '.markdown': 'md',
  '.html': 'html',
  '.htm': 'html',
  '.txt': 'txt',
  '.text': 'txt',
  '.pdf': 'pdf',
};

export interface ParseInput {
  /** Document id: the path relative to the ingested root without extension, or one the caller gives. */
  id: string;
  sourceType: SourceType;
  bytes: Uint8Array;
  /** Help-centre root: a document's page is `${baseUrl}/${id}` unless the document names its own URL. */
  baseUrl?: string;
}

export interface ParsedDocument {
  id: string;
  title: string;
  sourceType: SourceType;
  url?: string;
  chunks: KnowledgeChunk[];
  /** One per chunk, same order. */
  chunkHashes: string[];
  contentHash: string;
}

const sha256 = (...parts: Array<string | Uint8Array>) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\u0000');
  return hash.digest('hex');
};

/** What a reader or an embedder of the chunk sees; a change to any of it updates the chunk. */
export function chunkHash(chunk: KnowledgeChunk): string {
  return sha256(JSON.stringify([chunk.docTitle, chunk.heading, chunk.title, chunk.text, chunk.url ?? '']));
}

/** Identifies the raw file under the current settings: equal means the document cannot have changed. */
export function sourceHash(input: ParseInput): string {
  return sha256(`v${PARSER_VERSION}`, input.sourceType, input.id, input.baseUrl ?? '', input.bytes);
}

export function documentUrl(id: string, baseUrl: string | undefined): string | undefined {
  if (!baseUrl) return undefined;
  return `${baseUrl.replace(/\/+$/, '')}/${id.split('/').map(encodeURIComponent).join('/')}`;
}

/** Bytes → title, url and chunks, plus the content hash that decides whether a re-ingest writes anything. */
export async function parseDocument(input: ParseInput): Promise<ParsedDocument> {
  const { id, sourceType } = input;
  const fallbackTitle = titleFromFilename(id);
  const pageUrl = documentUrl(id, input.baseUrl);
  let title: string;
  let url: string | undefined;
  let sections: Section[];
  let maxChars: number | undefined;
  switch (sourceType) {
    case 'md': {
      const doc = parseMarkdown(normalizeText(decodeText(input.bytes).text), fallbackTitle);
      title = doc.title;
      url = doc.url ?? pageUrl;
      sections = doc.sections;
      break;
    }
    case 'html': {
      const doc = parseHtml(normalizeText(decodeText(input.bytes).text), pageUrl ? { baseUrl: pageUrl } : {});
      title = doc.title ?? fallbackTitle;
      url = doc.url ?? pageUrl;
      sections = doc.sections.map((s) => ({ ...s, text: normalizeText(s.text) }));
      break;
    }
    case 'txt': {
      const doc = parsePlainText(normalizeText(decodeText(input.bytes).text));
      title = doc.title ?? fallbackTitle;
      url = pageUrl;
      sections = doc.sections;
      maxChars = TEXT_CHUNK_CHARS;
      break;
    }
    case 'pdf': {
      const doc = await parsePdf(input.bytes);
      title = doc.title ?? fallbackTitle;
      url = pageUrl;
      sections = doc.sections;
      break;
    }
    default:
      throw new KnowledgeParseError(`unsupported source type ${String(sourceType)}`);
  }
  const chunks = buildChunks(id, title, sections, { ...(url ? { url } : {}), ...(maxChars ? { maxChars } : {}) });
  if (chunks.length === 0) throw new KnowledgeParseError('no text to ingest (the document is empty)');
  const chunkHashes = chunks.map(chunkHash);
  const contentHash = sha256(`v${PARSER_VERSION}`, sourceType, title, url ?? '', JSON.stringify(chunks.map((c, i) => [c.id, chunkHashes[i]])));
  return { id, title, sourceType, ...(url ? { url } : {}), chunks, chunkHashes, contentHash };
}
