import { PDFDocument, StandardFonts } from 'pdf-lib';

export interface PdfPage {
  /** Lines drawn top-down; `heading: true` draws bigger (the text layer does not keep sizes, but it reads right). */
  lines: Array<string | { heading: string }>;
}

/** A small text PDF, deterministic (fixed dates), for parser and ingest tests. */
export async function makePdf(pages: PdfPage[], title?: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const epoch = new Date('2024-01-01T00:00:00Z');
  doc.setCreationDate(epoch);
  doc.setModificationDate(epoch);
  if (title) doc.setTitle(title);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const { lines } of pages) {
    const page = doc.addPage([595, 842]);
    let y = 790;
    for (const line of lines) {
      const heading = typeof line !== 'string';
      const text = heading ? line.heading : line;
      if (heading) y -= 10;
      page.drawText(text, { x: 50, y, size: heading ? 16 : 11, font });
      y -= heading ? 24 : 15;
    }
  }
  return doc.save({ useObjectStreams: false });
}

export const MANUAL_PAGES: PdfPage[] = [
  {
    lines: [
      { heading: 'Tent setup' },
      'Lay out the footprint on flat ground and peg the corners.',
      'Insert the two long poles into the colour-coded sleeves.',
      { heading: 'Guy lines' },
      'Tension every guy line so the fly does not touch the inner tent.',
    ],
  },
  {
    lines: [
      { heading: 'Packing away' },
      'Dry the tent completely before storing it to prevent mildew.',
      'Roll the fly and inner together, then slide them into the bag.',
    ],
  },
];

/**
 * pdf.js sets up its in-thread "fake worker" with a dynamic `import()` of pdf.worker.mjs, which jest's CommonJS
 * sandbox refuses (it needs --experimental-vm-modules). pdf.js first looks for the handler on
 * `globalThis.pdfjsWorker`, so tests load it with Node's own loader (Module._load, which jest passes through; ESM via
 * require needs Node ≥ 20.19). Under tsx/node (the CLI, the gateway) the dynamic import just works.
 */
export function installPdfWorkerForJest(): void {
  const g = globalThis as { pdfjsWorker?: unknown };
  if (g.pdfjsWorker) return;
  const nodeModule = require('node:module') as { _load(request: string, parent: unknown, isMain: boolean): unknown };
  const workerPath = require('node:path').join(require('node:path').dirname(require.resolve('pdf-parse')), 'pdf.worker.mjs');
  g.pdfjsWorker = nodeModule._load(workerPath, null, false);
}
