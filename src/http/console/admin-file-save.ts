import type { AdminFileView, SavableAdminFile } from '../../admin-file-live';
import { HttpError } from '../errors';
import type { AdminFileResponse } from './api-types';
import type { ConsoleDeps } from './deps';
import { signedIn, type RouteContext } from './route-table';
import { requiredString } from './validate';

/** An admin file (routing, intents, alerts) as the console shows it. */
export function fileResponse(view: AdminFileView): AdminFileResponse {
  return { yaml: view.source, revision: view.revision, origin: view.origin, updatedAt: view.updatedAt?.toISOString() ?? null, updatedBy: view.updatedBy ?? null };
}

/** Validates and stores an edited admin file, auditing the change (or the refusal, with the parser's message). */
export async function saveAdminFile(
  ctx: RouteContext,
  deps: ConsoleDeps,
  file: SavableAdminFile,
  what: { action: string; target: string; code: string; invalid: new (message: string) => Error },
): Promise<number> {
  const principal = signedIn(ctx);
  const yaml = requiredString(ctx.req.body, 'yaml', 200_000);
  let saved;
  try {
    saved = await file.save(yaml, principal.user?.email ?? principal.name, deps.clock());
  } catch (err) {
    if (err instanceof what.invalid) {
      await ctx.audit({ action: what.action, outcome: 'refused', detail: err.message });
      throw new HttpError(400, what.code, err.message);
    }
    throw err;
  }
  await ctx.audit({ action: what.action, target: what.target, diff: lineDiff(saved.before, yaml), detail: `revision ${saved.revision}` });
  return saved.revision;
}

/** Lines removed and added (by content), capped: enough to see what changed in the audit log. */
function lineDiff(before: string, after: string): Record<string, unknown> {
  const a = before.split('\n');
  const b = after.split('\n');
  const removed = a.filter((line) => !b.includes(line));
  const added = b.filter((line) => !a.includes(line));
  return { removed: removed.slice(0, 40), added: added.slice(0, 40) };
}
