import { convert, type FormatCallback, type HtmlToTextOptions } from 'html-to-text';
import type { Section } from '../chunk';

export interface HtmlDocument {
  title?: string;
  /** `<link rel="canonical">`, when absolute. */
  url?: string;
  sections: Section[];
}

// Headings become sentinels in the converted text, split on afterwards: one conversion keeps html-to-text's
// handling of lists, tables, entities and whitespace for every section.
const OPEN = '\u0001';
const MID = '\u0002';
const CLOSE = '\u0003';

const headingFormatter: FormatCallback = (elem, walk, builder) => {
  const level = Number(elem.name?.slice(1) ?? 2);
  const id = typeof elem.attribs?.id === 'string' ? elem.attribs.id.replace(/[\u0000-\u001f]/g, '') : '';
  builder.openBlock({ leadingLineBreaks: 2 });
  builder.addLiteral(`${OPEN}${level}|${id}${MID}`);
  walk(elem.children ?? [], builder);
  builder.addLiteral(CLOSE);
  builder.closeBlock({ trailingLineBreaks: 2 });
};

const SKIP = ['nav', 'script', 'style', 'noscript', 'template', 'svg', 'iframe', 'form', 'button', 'header', 'footer', 'aside', 'head', 'img', 'picture', 'video', 'audio'];

const OPTIONS: HtmlToTextOptions = {
  wordwrap: false,
  formatters: { kbHeading: headingFormatter },
  selectors: [
    ...SKIP.map((selector) => ({ selector, format: 'skip' })),
    { selector: '[role=navigation]', format: 'skip' },
    { selector: '[hidden]', format: 'skip' },
    { selector: 'h1', format: 'kbHeading' },
    { selector: 'h2', format: 'kbHeading' },
    { selector: 'h3', format: 'kbHeading' },
    { selector: 'h4', options: { uppercase: false } },
    { selector: 'h5', options: { uppercase: false } },
    { selector: 'h6', options: { uppercase: false } },
    { selector: 'a', options: { hideLinkIfSameAsText: true, noAnchorUrl: true } },
    { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
  ],
};

const inlineText = (html: string) => convert(html, { wordwrap: false }).replace(/\s+/g, ' ').trim();

/**
 * HTML → sections split at h1–h3 (the first h1 is the title unless <title> says otherwise), text through
 * html-to-text with navigation, scripts, styles and page chrome removed; lists and tables kept as text.
 */
export function parseHtml(html: string, options: { baseUrl?: string } = {}): HtmlDocument {
  const titleTag = /<title[^>]*>([\s\S]*?)<\/title\s*>/i.exec(html)?.[1];
  const canonical = /<link\b[^>]*\brel=["']?canonical["']?[^>]*>/i.exec(html)?.[0];
  const href = canonical && /\bhref=["']([^"']+)["']/i.exec(canonical)?.[1];
  const text = convert(html, options.baseUrl ? { ...OPTIONS, selectors: [...OPTIONS.selectors!, { selector: 'a', options: { baseUrl: options.baseUrl, hideLinkIfSameAsText: true, noAnchorUrl: true } }] } : OPTIONS);

  let title = titleTag ? inlineText(titleTag) || undefined : undefined;
  const sections: Section[] = [];
  let current: Section = { heading: '', text: '' };
  const re = new RegExp(`${OPEN}(\\d)\\|([^${MID}]*)${MID}([\\s\\S]*?)${CLOSE}`, 'g');
  let last = 0;
  let first = true;
  for (const m of text.matchAll(re)) {
    current.text += text.slice(last, m.index);
    last = m.index + m[0].length;
    const heading = m[3]!.replace(/\s+/g, ' ').trim();
    if (!heading) continue;
    // The page's first h1, before any content, is its title (or repeats it).
    if (first && m[1] === '1' && !current.text.trim() && (!title || sameTitle(title, heading))) {
      title = heading;
      first = false;
      continue;
    }
    first = false;
    sections.push(current);
    current = { heading, text: '', ...(m[2] ? { anchor: m[2] } : {}) };
  }
  current.text += text.slice(last);
  sections.push(current);
  for (const s of sections) s.text = s.text.replace(/[\u0001-\u0003]/g, '').replace(/\n{3,}/g, '\n\n').trim();
  return { ...(title ? { title } : {}), ...(href && /^https?:\/\//i.test(href) ? { url: href } : {}), sections };
}

/** "Returns | Northwind Help" and "Returns" name the same page. */
function sameTitle(title: string, heading: string): boolean {
  const t = title.toLowerCase();
  const h = heading.toLowerCase();
  return t === h || t.startsWith(`${h} `) || t.startsWith(`${h}|`) || t.endsWith(` ${h}`);
}
