/**
 * Splits a markdown help-centre article into answerable chunks: one per `##` section (or per `#` when an
 * article has no sections), each cited as "Article › Section" with an anchor link.
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

export function slugify(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function chunkMarkdown(docId: string, markdown: string, baseUrl?: string): KnowledgeChunk[] {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  let docTitle = docId;
  const sections: Array<{ heading: string; body: string[] }> = [];
  let current: { heading: string; body: string[] } | undefined;
  let inFence = false;
  for (const line of lines) {
    if (/^```/.test(line)) inFence = !inFence;
    const h1 = !inFence && /^#\s+(.+?)\s*#*\s*$/.exec(line);
    const h2 = !inFence && /^#{2,3}\s+(.+?)\s*#*\s*$/.exec(line);
    if (h1 && docTitle === docId && sections.length === 0 && !current) {
      docTitle = h1[1]!;
      current = { heading: '', body: [] };
    } else if (h2) {
      if (current) sections.push(current);
      current = { heading: h2[1]!, body: [] };
    } else {
      if (!current) current = { heading: '', body: [] };
      current.body.push(line);
    }
  }
  if (current) sections.push(current);
  return sections
    .map((s) => ({ ...s, text: s.body.join('\n').trim() }))
    .filter((s) => s.text.length > 0)
    .map((s) => {
      const anchor = s.heading ? slugify(s.heading) : '';
      return {
        id: anchor ? `${docId}#${anchor}` : docId,
        docId,
        docTitle,
        heading: s.heading,
        title: s.heading ? `${docTitle} › ${s.heading}` : docTitle,
        text: s.text,
        ...(baseUrl ? { url: `${baseUrl.replace(/\/$/, '')}/${docId}${anchor ? `#${anchor}` : ''}` } : {}),
      };
    });
}
