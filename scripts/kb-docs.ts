/**
 * Exports a markdown knowledge folder as the documents file of `switchboard eval retrieval` (one JSON line per
 * section: {id, title, text}), so the demo help centre can be measured with knowledge/eval/demo-queries.jsonl.
 * Usage: npx tsx scripts/kb-docs.ts [knowledgeDir=knowledge/demo] [out=.cache/dev-splits/demo-docs.jsonl]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadMarkdownFolder } from '../knowledge/load';

async function main(): Promise<void> {
  const dir = process.argv[2] ?? 'knowledge/demo';
  const out = process.argv[3] ?? '.cache/dev-splits/demo-docs.jsonl';
  const chunks = await loadMarkdownFolder(dir);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, chunks.map((c) => JSON.stringify({ id: c.id, title: c.title, text: c.text })).join('\n') + '\n');
  console.log(`${chunks.length} documents → ${out}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
