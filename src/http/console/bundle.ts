import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const CONSOLE_DIR = resolve(__dirname, '../../../console');

export interface ConsoleBundle {
  /** The entry module every page loads. */
  js: Buffer;
  css: Buffer;
  /** Lazily loaded chunks by file name (`chunk-<hash>.js`): pages that need a big library (charts) load it themselves. */
  chunks: Map<string, Buffer>;
  /** What a browser downloads (gzip) for every page: the entry and the stylesheet, not the lazy chunks. */
  gzipBytes: { js: number; css: number; chunks: number };
}

let built: Promise<ConsoleBundle> | undefined;

/**
 * The console's browser code, bundled by esbuild from console/src when a process first needs it (about a tenth of
 * a second), and kept in memory: nothing to build by hand after `npm install`, nothing stale on disk after a pull.
 */
export function consoleBundle(): Promise<ConsoleBundle> {
  built ??= build().catch((err: unknown) => {
    built = undefined;
    throw err;
  });
  return built;
}

async function build(): Promise<ConsoleBundle> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: { app: join(CONSOLE_DIR, 'src/main.tsx') },
    bundle: true,
    minify: true,
    write: false,
    // Dynamic imports become chunks: the reports page and its chart library are loaded only by who opens it.
    splitting: true,
    outdir: '/console-out',
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    format: 'esm',
    target: 'es2020',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const files = new Map(result.outputFiles.map((f) => [f.path.replace(/^.*\//, ''), Buffer.from(f.contents)]));
  const js = files.get('app.js')!;
  files.delete('app.js');
  // uPlot's own stylesheet (legend, cursor) goes with ours: the page's CSP allows no inline styles.
  const css = Buffer.concat([await readFile(join(CONSOLE_DIR, 'src/app.css')), Buffer.from('\n'), await readFile(require.resolve('uplot/dist/uPlot.min.css'))]);
  const chunks = new Map([...files].filter(([name]) => /^chunk-[A-Z0-9]+\.js$/.test(name)));
  return { js, css, chunks, gzipBytes: { js: gzipSync(js).length, css: gzipSync(css).length, chunks: [...chunks.values()].reduce((n, b) => n + gzipSync(b).length, 0) } };
}
