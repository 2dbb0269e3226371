import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { checkAdminData, parseAdminYaml } from '../admin-yaml';

const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;

const intentSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'use lower_snake_case, e.g. track_order'),
    description: z.string().optional(),
    team: z.string().min(1).optional(),
    priority: z.enum(PRIORITIES).default('normal'),
    /** Sent as is when the intent is recognised confidently; otherwise the knowledge base answers. */
    answer: z.string().min(1).optional(),
    /** Always hand this intent to people (complaints, legal threats). */
    escalate: z.boolean().default(false),
    examples: z.array(z.string().min(1)).min(3, 'give at least 3 example utterances'),
  })
  .strict();

export type IntentSpec = z.infer<typeof intentSchema>;

export class CatalogError extends Error {}

/**
 * The intents an admin defines, one YAML file each under `knowledge/intents/` (or the catalog saved in the
 * console, src/intents-live.ts). A bad file stops the start with its name and the problem, never a silently smaller
 * model.
 */
export function loadIntentCatalog(dir: string): IntentSpec[] {
  return uniqueNames(
    intentFiles(dir).map(({ path, source }) => parseIntentFile(path, source)),
    dir,
  );
}

/** The intent files of a folder, in name order; none when the folder does not exist. */
export function intentFiles(dir: string): Array<{ path: string; source: string }> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names.map((name) => ({ path: join(dir, name), source: readFileSync(join(dir, name), 'utf8') }));
}

export function parseIntentFile(path: string, source: string): IntentSpec {
  return parseAdminYaml(intentSchema, source, path, CatalogError);
}

/**
 * The whole catalog as one YAML stream: each `---`-separated document is what one intent file holds, so the
 * console edits it with the files' own schema and messages ("intents: document 3 (warranty_claim): examples: …").
 */
export function parseIntentCatalog(source: string, origin: string): IntentSpec[] {
  const documents = parseAllDocuments(source);
  const list = Array.isArray(documents) ? documents : [documents];
  const intents: IntentSpec[] = [];
  list.forEach((document, index) => {
    const data: unknown = document.toJS();
    const name = data && typeof data === 'object' && typeof (data as { name?: unknown }).name === 'string' ? ` (${(data as { name: string }).name})` : '';
    const where = `${origin}: document ${index + 1}${name}`;
    if (document.errors.length > 0) throw new CatalogError(`${where}: not valid YAML (${document.errors[0]!.message.split('\n')[0]})`);
    // A stream that ends with "---" (or a document that is only a comment) holds nothing: not an intent.
    if (data === null || data === undefined) return;
    intents.push(checkAdminData(intentSchema, data, where, CatalogError));
  });
  return uniqueNames(intents, origin);
}

/** The catalog source for a folder of intent files: each file one document, headed by its name. */
export function catalogSourceOf(files: Array<{ path: string; source: string }>): string {
  return files.map(({ path, source }) => `# ${path}\n${source.trim()}\n`).join('---\n');
}

function uniqueNames(intents: IntentSpec[], origin: string): IntentSpec[] {
  const seen = new Set<string>();
  for (const intent of intents) {
    if (seen.has(intent.name)) throw new CatalogError(`${origin}: intent "${intent.name}" is defined twice`);
    seen.add(intent.name);
  }
  return intents;
}
