import { parse } from 'yaml';
import type { z } from 'zod';

/**
 * Parses an admin's YAML file (intents, routing rules) against its schema. The first problem is reported with the
 * file and the path of the field ("routing.yaml: rules.0.then.team: …"), as the error class the caller names.
 */
export function parseAdminYaml<S extends z.ZodType>(
  schema: S,
  source: string,
  origin: string,
  fail: new (message: string) => Error,
  /** What an empty file means (undefined: the schema decides). */
  whenEmpty?: unknown,
): z.output<S> {
  let data: unknown;
  try {
    data = parse(source) ?? whenEmpty;
  } catch (err) {
    throw new fail(`${origin}: not valid YAML (${(err as Error).message.split('\n')[0]})`);
  }
  return checkAdminData(schema, data, origin, fail);
}

/** Checks parsed YAML against its schema, reporting the first problem as parseAdminYaml does. */
export function checkAdminData<S extends z.ZodType>(schema: S, data: unknown, origin: string, fail: new (message: string) => Error): z.output<S> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new fail(`${origin}: ${issue.path.join('.') || '(file)'}: ${issue.message}`);
  }
  return parsed.data;
}
