import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildChunks, chunkMarkdown, KnowledgeParseError, splitText } from '../../knowledge/chunk';
import { decodeText, parseDocument } from '../../knowledge/ingest';
import { installPdfWorkerForJest, makePdf, MANUAL_PAGES } from './pdf-fixture';

installPdfWorkerForJest();

const KB = join(__dirname, '..', 'fixtures', 'knowledge', 'kb');
const bytes = (name: string) => readFile(join(KB, name));

describe('markdown', () => {
  it('takes title and url from front matter and chunks by heading, ignoring headings in code fences', async () => {
    const doc = await parseDocument({ id: 'returns', sourceType: 'md', bytes: await bytes('returns.md'), baseUrl: 'https://ignored.example' });
    expect(doc.title).toBe('Returns & refunds');
    expect(doc.url).toBe('https://help.example/returns-policy');
    expect(doc.chunks.map((c) => [c.id, c.title, c.url])).toEqual([
      ['returns', 'Returns & refunds', 'https://help.example/returns-policy'],
      ['returns#how-do-i-return-an-item', 'Returns & refunds › How do I return an item?', 'https://help.example/returns-policy#how-do-i-return-an-item'],
      ['returns#when-will-i-get-my-money-back', 'Returns & refunds › When will I get my money back?', 'https://help.example/returns-policy#when-will-i-get-my-money-back'],
    ]);
    expect(doc.chunks[2]!.text).toContain('## not a heading: inside a code fence');
  });

  it('keeps the demo help centre chunking: first # is the title, ## and ### are sections', () => {
    const chunks = chunkMarkdown('faq', '# FAQ\n\nIntro.\n\n## One\n\nFirst.\n\n### Two\n\nSecond.\n\n#### Deep\n\nStill two.', 'https://h.example/');
    expect(chunks.map((c) => [c.id, c.title, c.url])).toEqual([
      ['faq', 'FAQ', 'https://h.example/faq'],
      ['faq#one', 'FAQ › One', 'https://h.example/faq#one'],
      ['faq#two', 'FAQ › Two', 'https://h.example/faq#two'],
    ]);
    expect(chunks[2]!.text).toBe('Second.\n\n#### Deep\n\nStill two.');
  });

  it('reads setext headings, numbers duplicate headings and splits long sections into parts', () => {
    const para = (n: number) => `Paragraph ${n}. ${'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(6)}`.trim();
    const long = Array.from({ length: 8 }, (_, i) => para(i + 1)).join('\n\n');
    const md = `Sizing\n======\n\nShoes\n-----\n\nTrue to size.\n\n## Shoes\n\nHalf sizes too.\n\n## Jackets\n\n${long}\n`;
    const chunks = chunkMarkdown('sizing', md);
    expect(chunks.map((c) => c.id)).toEqual(['sizing#shoes', 'sizing#shoes-2', 'sizing#jackets', 'sizing#jackets-part-2', 'sizing#jackets-part-3']);
    expect(chunks[0]!.docTitle).toBe('Sizing');
    expect(chunks[3]!.title).toBe('Sizing › Jackets (part 2)');
    for (const c of chunks) expect(c.text.length).toBeLessThanOrEqual(1200);
    // Split on paragraph boundaries: every part starts with a paragraph.
    expect(chunks.slice(2).every((c) => c.text.startsWith('Paragraph '))).toBe(true);
    expect(chunks.slice(2).map((c) => c.text).join('\n\n')).toBe(long);
  });

  it('reports invalid front matter', async () => {
    await expect(parseDocument({ id: 'x', sourceType: 'md', bytes: Buffer.from('---\ntitle: [unclosed\n---\n# X\n\nBody') })).rejects.toBeInstanceOf(KnowledgeParseError);
  });
});

describe('splitText', () => {
  it('falls back to lines, sentences and spaces for text without paragraphs', () => {
    const sentence = 'This sentence is exactly about sixty characters long, yes. ';
    const text = sentence.repeat(50).trim();
    const parts = splitText(text, 300);
    expect(parts.every((p) => p.length <= 300 && p.endsWith('.'))).toBe(true);
    expect(parts.join(' ')).toBe(text);
  });

  it('numbers an untitled introduction part by part', () => {
    const chunks = buildChunks('notes', 'Notes', [{ heading: '', text: 'a'.repeat(500) + '\n\n' + 'b'.repeat(500) }], { maxChars: 600, url: 'https://h/notes' });
    expect(chunks.map((c) => [c.id, c.title, c.url])).toEqual([
      ['notes', 'Notes', 'https://h/notes'],
      ['notes#part-2', 'Notes (part 2)', 'https://h/notes'],
    ]);
  });
});

describe('HTML', () => {
  it('splits at h1–h3, drops nav, scripts and styles, keeps lists and uses id attributes as anchors', async () => {
    const doc = await parseDocument({ id: 'guides/care-guide', sourceType: 'html', bytes: await bytes('guides/care-guide.html') });
    expect(doc.title).toBe('Care guide');
    expect(doc.url).toBe('https://help.example/care');
    expect(doc.chunks.map((c) => [c.id, c.title, c.url])).toEqual([
      ['guides/care-guide', 'Care guide', 'https://help.example/care'],
      ['guides/care-guide#washing', 'Care guide › Washing your jacket', 'https://help.example/care#washing'],
      ['guides/care-guide#drying', 'Care guide › Drying', 'https://help.example/care#drying'],
      ['guides/care-guide#caring-for-leather-boots', 'Care guide › Caring for leather boots', 'https://help.example/care#caring-for-leather-boots'],
    ]);
    expect(doc.chunks[0]!.text).toBe('Look after your gear & it will look after you.');
    expect(doc.chunks[1]!.text).toMatch(/30 °C with a technical detergent\.\n\n \* Close all zips and Velcro tabs\n \* Never use fabric softener$/);
    const all = doc.chunks.map((c) => c.text).join('\n');
    expect(all).not.toMatch(/Home|Help centre|analytics|font-family|Northwind Outfitters/);
  });
});

describe('plain text', () => {
  it('takes the first line as title and groups paragraphs into ~800-character chunks', async () => {
    const doc = await parseDocument({ id: 'store-info', sourceType: 'txt', bytes: await bytes('store-info.txt'), baseUrl: 'https://help.example' });
    expect(doc.title).toBe('Store information');
    expect(doc.chunks.length).toBe(3);
    expect(doc.chunks.map((c) => c.title)).toEqual(['Store information', 'Store information (part 2)', 'Store information (part 3)']);
    for (const c of doc.chunks) {
      expect(c.text.length).toBeLessThanOrEqual(800);
      expect(c.text).toMatch(/^[A-Z][a-z]+( [a-z]+)?: Sentence 1/); // starts at a paragraph
      expect(c.url).toBe('https://help.example/store-info');
    }
  });

  it('decodes Windows-1252 / Latin-1 when the bytes are not UTF-8, and honours a UTF-8 BOM', async () => {
    const raw = await bytes('garantie.txt');
    expect(decodeText(raw).encoding).toBe('windows-1252');
    const doc = await parseDocument({ id: 'garantie', sourceType: 'txt', bytes: raw });
    expect(doc.title).toBe('Garantie Européenne');
    expect(doc.chunks[0]!.text).toContain('achetées en magasin');
    expect(doc.chunks[0]!.text).toContain('Überprüfung gratuite, frais de port 4,95 €, “garantie” incluse.');

    const bom = decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Café', 'utf8')]));
    expect(bom).toEqual({ text: 'Café', encoding: 'utf-8' });
  });

  it('refuses binary files', async () => {
    await expect(parseDocument({ id: 'bin', sourceType: 'txt', bytes: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]) })).rejects.toThrow(/binary/);
  });
});

describe('PDF', () => {
  it('splits at heading-like lines, links to pages and takes the title from the metadata', async () => {
    const doc = await parseDocument({ id: 'manuals/tent', sourceType: 'pdf', bytes: await makePdf(MANUAL_PAGES, 'Tent manual'), baseUrl: 'https://help.example/docs' });
    expect(doc.title).toBe('Tent manual');
    expect(doc.chunks.map((c) => [c.id, c.title, c.url])).toEqual([
      ['manuals/tent#tent-setup', 'Tent manual › Tent setup', 'https://help.example/docs/manuals/tent#page=1'],
      ['manuals/tent#guy-lines', 'Tent manual › Guy lines', 'https://help.example/docs/manuals/tent#page=1'],
      ['manuals/tent#packing-away', 'Tent manual › Packing away', 'https://help.example/docs/manuals/tent#page=2'],
    ]);
    expect(doc.chunks[0]!.text).toBe('Lay out the footprint on flat ground and peg the corners.\nInsert the two long poles into the colour-coded sleeves.');
  });

  it('falls back to one chunk per page and the file name when there are no headings or title', async () => {
    const pdf = await makePdf([{ lines: ['Keep this leaflet with your receipt.', 'The warranty covers manufacturing defects.'] }, { lines: ['Contact us for a repair.'] }]);
    const doc = await parseDocument({ id: 'warranty-leaflet', sourceType: 'pdf', bytes: pdf });
    expect(doc.title).toBe('Warranty leaflet');
    expect(doc.chunks.map((c) => [c.id, c.title])).toEqual([
      ['warranty-leaflet#page-1', 'Warranty leaflet › Page 1'],
      ['warranty-leaflet#page-2', 'Warranty leaflet › Page 2'],
    ]);
  });

  it('reports a corrupt PDF', async () => {
    await expect(parseDocument({ id: 'broken', sourceType: 'pdf', bytes: await bytes('broken.pdf') })).rejects.toThrow(KnowledgeParseError);
  });
});
