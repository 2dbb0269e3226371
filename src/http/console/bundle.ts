import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const CONSOLE_DIR = resolve(__dirname, '../../../console');

export interface ConsoleBundle {
  js: Buffer;
  css: Buffer;
  /** What a browser downloads (gzip), for the size budget in docs/console.md. */
  gzipBytes: { js: number; css: number };
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
    entryPoints: [join(CONSOLE_DIR, 'src/main.tsx')],
    bundle: true,
    minify: true,
    write: false,
    format: 'esm',
    target: 'es2020',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const js = Buffer.from(result.outputFiles[0]!.contents);
  const css = await readFile(join(CONSOLE_DIR, 'src/app.css'));
  return { js, css, gzipBytes: { js: gzipSync(js).length, css: gzipSync(css).length } };
}
