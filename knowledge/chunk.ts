import { parse as parseYaml } from 'yaml';

/**
 * Splits a help-centre article into answerable chunks: one per section, each cited as "Article › Section" with an
 * anchor link. Markdown goes through `chunkMarkdown`; the other formats (knowledge/ingest) produce `Section`s and
 * share `buildChunks`, so every format gets the same ids, titles, anchors and long-section splitting.
 */
export interface KnowledgeChunk {
  id: string;
  docId: string;
  docTitle: string;
  heading: string;
  /** "Article › Section": what the customer sees as the citation. */
  title: string;
  text: string;
  url?: string;
}

/** One section of a document before chunking. */
export interface Section {
  /** '' for the text before the first heading (the introduction). */
  heading: string;
  text: string;
  /** Anchor to use for the id; defaults to the slug of the heading (an HTML `id` attribute is better). */
  anchor?: string;
  /** URL fragment when it differs from the anchor, e.g. `page=3` for a PDF. */
  fragment?: string;
}

/** Sections longer than this are split on paragraph boundaries into "(part 2)", "(part 3)"... */
export const MAX_SECTION_CHARS = 1200;

/** GitHub-style anchors: apostrophes vanish ("hasn't" → "hasnt"), other runs of non-alphanumerics become "-". */
export function slugify(text: string): string {
  return text
    .replace(/['’]/g, '')
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** "returns-policy_2024" → "Returns policy 2024": a readable title when a document has none. */
export function titleFromFilename(name: string): string {
  const base = name.split('/').pop() ?? name;
  const words = base.replace(/[-_.]+/g, ' ').replace(/\s+/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : name;
}

/**
 * Splits text into pieces of at most `max` characters, preferring paragraph boundaries, then line breaks, then
 * sentence ends, then spaces. Fenced code blocks stay whole when they fit.
 */
export function splitText(text: string, max = MAX_SECTION_CHARS): string[] {
  const trimmed = text.trim();
  if (trimmed.length <= max) return trimmed ? [trimmed] : [];
  const pieces = atoms(trimmed, max);
  const parts: string[] = [];
  let current = '';
  for (const piece of pieces) {
    if (!current) current = piece.text;
    else if (current.length + piece.sep.length + piece.text.length <= max) current += piece.sep + piece.text;
    else {
      parts.push(current);
      current = piece.text;
    }
  }
  if (current) parts.push(current);
  return parts;
}

/** Units no longer than `max`, each with the separator that joined it to the previous one. */
function atoms(text: string, max: number): Array<{ text: string; sep: string }> {
  const out: Array<{ text: string; sep: string }> = [];
  const levels: Array<{ re: RegExp; sep: string }> = [
    { re: /\n\s*\n/, sep: '\n\n' },
    { re: /\n/, sep: '\n' },
    { re: /(?<=[.!?…])\s+/, sep: ' ' },
    { re: /\s+/, sep: ' ' },
  ];
  const visit = (chunk: string, level: number, sep: string) => {
    if (chunk.length <= max) {
      out.push({ text: chunk, sep });
      return;
    }
    if (level >= levels.length) {
      for (let i = 0; i < chunk.length; i += max) out.push({ text: chunk.slice(i, i + max), sep: i === 0 ? sep : '' });
      return;
    }
    const { re, sep: inner } = levels[level]!;
    const parts = (level === 0 ? paragraphs(chunk) : chunk.split(re)).map((p) => p.trim()).filter(Boolean);
    if (parts.length <= 1) return visit(chunk, level + 1, sep);
    parts.forEach((p, i) => visit(p, level + 1, i === 0 ? sep : inner));
  };
  visit(text, 0, '\n\n');
  return out;
}

/** Blank-line separated paragraphs, keeping fenced code blocks (``` or ~~~) in one piece. */
function paragraphs(text: string): string[] {
  const out: string[] = [];
  let current: string[] = [];
  let fence: string | undefined;
  for (const line of text.split('\n')) {
    const marker = /^\s*(```|~~~)/.exec(line)?.[1];
    if (marker && (!fence || fence === marker)) fence = fence ? undefined : marker;
    if (!fence && line.trim() === '' && !marker) {
      if (current.length) out.push(current.join('\n'));
      current = [];
    } else current.push(line);
  }
  if (current.length) out.push(current.join('\n'));
  return out;
}

export interface BuildOptions {
  /** The document's page; chunk urls add `#anchor` (or the section's fragment). */
  url?: string;
  maxChars?: number;
}

/** Sections → chunks: empty sections dropped, duplicate anchors numbered, long sections split into parts. */
export function buildChunks(docId: string, docTitle: string, sections: Section[], options: BuildOptions = {}): KnowledgeChunk[] {
  const seen = new Set<string>();
  const chunks: KnowledgeChunk[] = [];
  for (const section of sections) {
    const parts = splitText(section.text, options.maxChars ?? MAX_SECTION_CHARS);
    if (parts.length === 0) continue;
    const heading = section.heading.replace(/\s+/g, ' ').trim();
    let base = section.anchor ?? (heading ? slugify(heading) : '');
    if (heading && !base) base = 'section';
    if (seen.has(base) || (base === '' && chunks.length > 0)) {
      let n = 2;
      while (seen.has(`${base || 'section'}-${n}`)) n++;
      base = `${base || 'section'}-${n}`;
    }
    seen.add(base);
    const fragment = section.fragment ?? base;
    parts.forEach((text, i) => {
      const anchor = i === 0 ? base : base ? `${base}-part-${i + 1}` : `part-${i + 1}`;
      seen.add(anchor);
      const partHeading = heading && i > 0 ? `${heading} (part ${i + 1})` : heading;
      chunks.push({
        id: anchor ? `${docId}#${anchor}` : docId,
        docId,
        docTitle,
        heading: partHeading,
        title: heading ? `${docTitle} › ${partHeading}` : i === 0 ? docTitle : `${docTitle} (part ${i + 1})`,
        text,
        ...(options.url ? { url: fragment ? `${options.url}#${fragment}` : options.url } : {}),
      });
    });
  }
  return chunks;
}

export interface MarkdownDocument {
  title: string;
  /** From front matter `url:`; otherwise the caller derives one from its base URL. */
  url?: string;
  sections: Section[];
}

/** Thrown for content that cannot be parsed (bad front matter, a corrupt PDF...): the file is reported and skipped. */
export class KnowledgeParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KnowledgeParseError';
  }
}

/**
 * Markdown → title and sections. Front matter (`---` YAML `---`) may set `title:` and `url:`. The first `#`
 * heading is the title (unless front matter set one); every later `#`, `##` or `###` heading (ATX or setext)
 * starts a section; deeper headings stay in the body. Headings inside code fences are text.
 */
export function parseMarkdown(markdown: string, fallbackTitle: string): MarkdownDocument {
  let source = markdown.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  let title: string | undefined;
  let url: string | undefined;
  const front = /^---[ \t]*\n([\s\S]*?)\n(?:---|\.\.\.)[ \t]*(?:\n|$)/.exec(source);
  if (front) {
    let meta: unknown;
    try {
      meta = parseYaml(front[1]!);
    } catch (err) {
      throw new KnowledgeParseError(`invalid front matter: ${(err as Error).message.split('\n')[0]}`);
    }
    if (meta && typeof meta === 'object' && !Array.isArray(meta)) {
      const m = meta as Record<string, unknown>;
      if (typeof m.title === 'string' && m.title.trim()) title = m.title.trim();
      if (typeof m.url === 'string' && m.url.trim()) url = m.url.trim();
    }
    source = source.slice(front[0].length);
  }

  const lines = source.split('\n');
  const sections: Section[] = [];
  let current: { heading: string; body: string[] } = { heading: '', body: [] };
  let fence: string | undefined;
  const startSection = (heading: string, level: number) => {
    if (level === 1 && title === undefined && sections.length === 0 && current.heading === '' && current.body.every((l) => !l.trim())) {
      title = heading;
      current = { heading: '', body: [] };
      return;
    }
    sections.push({ heading: current.heading, text: current.body.join('\n') });
    current = { heading, body: [] };
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const marker = /^\s{0,3}(```|~~~)/.exec(line)?.[1];
    if (marker && (!fence || fence === marker)) fence = fence ? undefined : marker;
    if (fence || marker) {
      current.body.push(line);
      continue;
    }
    const atx = /^\s{0,3}(#{1,3})\s+(.+?)(?:\s+#+)?\s*$/.exec(line);
    if (atx) {
      startSection(atx[2]!.trim(), atx[1]!.length);
      continue;
    }
    // Setext: a single text line underlined with === (h1) or --- (h2), after a blank line or a section start.
    const next = lines[i + 1];
    const prev = current.body[current.body.length - 1];
    if (next !== undefined && line.trim() && !/^\s*([-*+]|\d+[.)])\s/.test(line) && (prev === undefined || !prev.trim())) {
      const underline = /^\s{0,3}(=+|-+)\s*$/.exec(next);
      if (underline && !(underline[1]![0] === '-' && underline[1]!.length < 2)) {
        startSection(line.trim(), underline[1]![0] === '=' ? 1 : 2);
        i++;
        continue;
      }
    }
    current.body.push(line);
  }
  sections.push({ heading: current.heading, text: current.body.join('\n') });
  return { title: title ?? fallbackTitle, ...(url ? { url } : {}), sections };
}

export function chunkMarkdown(docId: string, markdown: string, baseUrl?: string): KnowledgeChunk[] {
  const doc = parseMarkdown(markdown, docId);
  const url = doc.url ?? (baseUrl ? `${baseUrl.replace(/\/$/, '')}/${docId}` : undefined);
  return buildChunks(docId, doc.title, doc.sections, url ? { url } : {});
}
