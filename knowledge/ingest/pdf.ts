import { KnowledgeParseError, type Section } from '../chunk';
import { normalizeText } from './decode';

export interface PdfDocument {
  /** From the PDF's metadata, when it is a real title. */
  title?: string;
  /** Normalised text of each page, in order. */
  pages: string[];
  sections: Section[];
}

type PdfParseModule = typeof import('pdf-parse');
let pdfParse: PdfParseModule | undefined;

function loadPdfParse(): PdfParseModule {
  // Lazy: pdf.js is large and most knowledge bases have no PDF.
  pdfParse ??= require('pdf-parse') as PdfParseModule;
  return pdfParse;
}

/**
 * PDF → text per page (pdf-parse), then sections: split at heading-like lines when the document has some (short,
 * capitalised, no sentence punctuation, set apart from the sentence before), otherwise one section per page. Chunk
 * links point at the page (`#page=N`, which browsers' PDF viewers honour).
 */
export async function parsePdf(bytes: Uint8Array): Promise<PdfDocument> {
  const parser = new (loadPdfParse().PDFParse)({ data: new Uint8Array(bytes), verbosity: 0 });
  let title: string | undefined;
  let pages: string[];
  try {
    const info = await parser.getInfo();
    const raw = (info.info as { Title?: unknown } | undefined)?.Title;
    if (typeof raw === 'string' && isRealTitle(raw)) title = raw.trim();
    const result = await parser.getText();
    pages = [...result.pages].sort((a, b) => a.num - b.num).map((p) => normalizeText(p.text));
  } catch (err) {
    const e = err as Error;
    const reason = e.name === 'PasswordException' ? 'the PDF is encrypted (password protected)' : `not a readable PDF (${e.message || e.name})`;
    throw new KnowledgeParseError(reason);
  } finally {
    await parser.destroy().catch(() => undefined);
  }
  if (pages.every((p) => !p.trim())) throw new KnowledgeParseError('the PDF has no extractable text (a scan without OCR?)');
  return { ...(title ? { title } : {}), pages, sections: sectionsOf(pages, title) };
}

/** Word processors fill Title with junk like "Microsoft Word - draft3.docx" or "untitled". */
function isRealTitle(title: string): boolean {
  const t = title.trim();
  return t.length > 1 && !/^(untitled|microsoft word\b|document\d*$)|\.(docx?|pdf|odt|pages|indd|rtf)$/i.test(t);
}

function sectionsOf(pages: string[], title: string | undefined): Section[] {
  const lines: Array<{ text: string; page: number }> = [];
  pages.forEach((text, i) => {
    for (const line of text.split('\n')) lines.push({ text: line, page: i + 1 });
    lines.push({ text: '', page: i + 1 }); // a page break ends a paragraph
  });
  const isHeading = (i: number): boolean => {
    const t = lines[i]!.text.trim();
    if (t.length < 3 || t.length > 80 || t.split(/\s+/).length > 12) return false;
    if (/[.,;:!]$/.test(t) || !/^(\d+(\.\d+)*\.?\s+)?[\p{Lu}]/u.test(t) || /^\d+(\s*(of|\/)\s*\d+)?$/.test(t)) return false;
    if (!/\p{L}{2}/u.test(t)) return false;
    const prev = lines[i - 1]?.text.trim();
    const next = lines[i + 1]?.text.trim();
    if (prev && !/[.!?:"”)]$/.test(prev)) return false; // a wrapped line continuing a sentence
    return !!next && !isHeadingLike(next);
  };
  const headingIdx = new Set(lines.map((_, i) => i).filter(isHeading));
  if (headingIdx.size >= 2) {
    const sections: Array<Section & { lines: string[] }> = [];
    let current: Section & { lines: string[] } = { heading: '', text: '', fragment: 'page=1', lines: [] };
    lines.forEach((line, i) => {
      if (headingIdx.has(i)) {
        const heading = line.text.trim();
        // A first heading that repeats the metadata title is the title, not a section.
        if (sections.length === 0 && !current.lines.some((l) => l.trim()) && title && heading.toLowerCase() === title.toLowerCase()) return;
        sections.push(current);
        current = { heading, text: '', fragment: `page=${line.page}`, lines: [] };
      } else current.lines.push(line.text);
    });
    sections.push(current);
    return sections.map(({ lines: ls, ...s }) => ({ ...s, text: ls.join('\n').replace(/\n{3,}/g, '\n\n').trim() }));
  }
  return pages.map((text, i) => ({ heading: `Page ${i + 1}`, anchor: `page-${i + 1}`, fragment: `page=${i + 1}`, text }));
}

function isHeadingLike(line: string): boolean {
  return line.length <= 80 && !/[.,;:!?]$/.test(line) && /^[\p{Lu}\d]/u.test(line) && line.split(/\s+/).length <= 4;
}
