import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parseAdminYaml } from '../admin-yaml';

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
 * The intents an admin defines, one YAML file each under `knowledge/intents/` (an API comes later). A bad file
 * stops the start with its name and the problem, never a silently smaller model.
 */
export function loadIntentCatalog(dir: string): IntentSpec[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const intents = names.map((name) => parseIntentFile(join(dir, name), readFileSync(join(dir, name), 'utf8')));
  const seen = new Set<string>();
  for (const intent of intents) {
    if (seen.has(intent.name)) throw new CatalogError(`${dir}: intent "${intent.name}" is defined twice`);
    seen.add(intent.name);
  }
  return intents;
}

export function parseIntentFile(path: string, source: string): IntentSpec {
  return parseAdminYaml(intentSchema, source, path, CatalogError);
}
