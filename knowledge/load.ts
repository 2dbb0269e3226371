import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { chunkMarkdown, type KnowledgeChunk } from './chunk';

/** Loads every markdown document of a folder (the demo help centre, or an admin's own). */
export async function loadMarkdownFolder(dir: string, baseUrl?: string): Promise<KnowledgeChunk[]> {
  const files = (await readdir(dir)).filter((f) => ['.md', '.markdown'].includes(extname(f).toLowerCase())).sort();
  const chunks: KnowledgeChunk[] = [];
  for (const file of files) {
    const text = await readFile(join(dir, file), 'utf8');
    chunks.push(...chunkMarkdown(basename(file, extname(file)), text, baseUrl));
  }
  return chunks;
}
