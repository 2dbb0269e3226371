import { KnowledgeUploadError } from '../../knowledge-admin';
import { IngestRunning, type IngestJob } from '../../knowledge-jobs';
import type { IngestJobView } from './api-types';
import { HttpError } from '../errors';
import type { ConsoleDeps } from './deps';
import { signedIn, type RouteSpec } from './route-table';
import { requiredString } from './validate';

/** Uploads larger than this are refused before they are read (PDF manuals are rarely bigger). */
export const KNOWLEDGE_UPLOAD_MAX_BYTES = 10 * 1024 * 1024;

export function knowledgeRoutes(deps: ConsoleDeps): RouteSpec[] {
  const { knowledge } = deps;
  return [
    {
      method: 'get',
      path: '/console/api/knowledge',
      permission: 'knowledge:read',
      surface: 'api',
      handler: async ({ res }) => {
        const docs = await knowledge.documents();
        res.json({ documents: docs.map((d) => ({ ...d, updatedAt: d.updatedAt.toISOString() })) });
      },
    },
    {
      method: 'get',
      path: '/console/api/knowledge/:id/sections',
      permission: 'knowledge:read',
      surface: 'api',
      handler: async (ctx) => {
        const sections = await knowledge.sections(String(ctx.req.params.id));
        if (sections.length === 0) throw new HttpError(404, 'document_not_found', 'no such document');
        ctx.res.json({ sections: sections.map((s) => ({ ...s, updatedAt: s.updatedAt.toISOString() })) });
      },
    },
    {
      method: 'post',
      path: '/console/api/knowledge',
      permission: 'knowledge:write',
      surface: 'api',
      body: 'raw',
      limitBytes: KNOWLEDGE_UPLOAD_MAX_BYTES,
      handler: async (ctx) => {
        const name = fileNameHeader(ctx.req.headers['x-filename']);
        const bytes = ctx.req.body instanceof Buffer ? new Uint8Array(ctx.req.body) : new Uint8Array();
        let report;
        try {
          report = await knowledge.upload(name, bytes);
        } catch (err) {
          if (err instanceof KnowledgeUploadError) throw new HttpError(400, 'upload_refused', err.message);
          throw err;
        }
        const failure = report.failures[0];
        await ctx.audit({ action: 'knowledge.upload', target: name, outcome: failure ? 'refused' : 'ok', diff: { added: report.added, updated: report.updated, sections: report.chunks }, ...(failure ? { detail: failure.reason } : {}) });
        if (failure) throw new HttpError(422, 'upload_unreadable', `${name}: ${failure.reason}`);
        ctx.res.status(201).json({ report });
      },
    },
    {
      method: 'delete',
      path: '/console/api/knowledge/:id',
      permission: 'knowledge:write',
      surface: 'api',
      handler: async (ctx) => {
        const id = String(ctx.req.params.id);
        if (!(await knowledge.remove(id))) throw new HttpError(404, 'document_not_found', `no document "${id}"`);
        await ctx.audit({ action: 'knowledge.remove', target: id });
        ctx.res.json({ removed: true });
      },
    },
    {
      method: 'post',
      path: '/console/api/knowledge/reingest',
      permission: 'knowledge:write',
      surface: 'api',
      handler: async (ctx) => {
        const principal = signedIn(ctx);
        let job;
        try {
          job = await knowledge.startReingest(principal.user?.email ?? principal.name);
        } catch (err) {
          if (err instanceof KnowledgeUploadError) throw new HttpError(400, 'reingest_refused', err.message);
          if (err instanceof IngestRunning) throw new HttpError(409, 'reingest_running', err.message);
          throw err;
        }
        await ctx.audit({ action: 'knowledge.reingest', target: 'KNOWLEDGE_DIR', detail: 'started' });
        ctx.res.status(202).json({ job: jobView(job) });
      },
    },
    {
      method: 'get',
      path: '/console/api/knowledge/reingest',
      permission: 'knowledge:read',
      surface: 'api',
      handler: async (ctx) => {
        const job = await knowledge.reingestJob();
        ctx.res.json({ job: job ? jobView(job) : null });
      },
    },
    {
      method: 'post',
      path: '/console/api/knowledge/try',
      permission: 'knowledge:read',
      surface: 'api',
      handler: async (ctx) => {
        const question = requiredString(ctx.req.body, 'question', 2_000);
        ctx.res.json(await knowledge.ask(question));
      },
    },
  ];
}

/** The upload's name, percent-encoded by the browser (headers are Latin-1); a malformed encoding is the caller's error. */
function fileNameHeader(header: string | string[] | undefined): string {
  try {
    return decodeURIComponent(String(header));
  } catch {
    throw new HttpError(400, 'invalid_filename', 'X-Filename must be the file name, percent-encoded (encodeURIComponent)');
  }
}

function jobView(job: IngestJob): IngestJobView {
  return {
    status: job.status,
    startedAt: job.startedAt.toISOString(),
    startedBy: job.startedBy,
    total: job.total,
    done: job.done,
    currentFile: job.currentFile,
    finishedAt: job.finishedAt?.toISOString() ?? null,
    report: job.report ? { added: job.report.added, updated: job.report.updated, unchanged: job.report.unchanged, failed: job.report.failed, failures: job.report.failures } : null,
    error: job.error ?? null,
  };
}
