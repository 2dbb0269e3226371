import type { IngestProgress, IngestReport } from '../../knowledge/ingest';
import { ABANDONED_AFTER_MS, IngestJobs, IngestRunning, type IngestJob } from '../../src/knowledge-jobs';
import { connectTestDb, type TestDb } from '../setup/db';
import { consoleUser } from '../support/console';
import { startTestGateway, type TestGateway } from '../support/gateway';

const REPORT: IngestReport = { added: 1, updated: 0, unchanged: 2, removed: 0, failed: 0, chunks: { added: 4, updated: 0, unchanged: 9, removed: 0 }, embedded: 0, ignored: 0, failures: [], writes: 5, durationMs: 12 };

/** A job row changes in the background: wait for the state asked for by re-reading it (no sleeping). */
async function until(jobs: IngestJobs, done: (job: IngestJob | null) => boolean): Promise<IngestJob | null> {
  for (let i = 0; i < 500; i++) {
    const job = await jobs.current();
    if (done(job)) return job;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('the job never reached the state asked for');
}

describe('knowledge re-ingest jobs', () => {
  let db: TestDb;
  let now: Date;
  const clock = () => now;

  beforeAll(async () => {
    db = await connectTestDb('knowledge_jobs');
  });
  beforeEach(async () => {
    now = new Date('2026-12-03T10:00:00Z');
    await db.connection.collection('knowledge_jobs').deleteMany({});
  });
  afterAll(async () => {
    await db.drop();
  });

  it('reports progress per file, runs once at a time across processes, and stores the report', async () => {
    const a = new IngestJobs(db.connection, 'process-a', clock);
    const b = new IngestJobs(db.connection, 'process-b', clock);
    let progress!: (event: IngestProgress) => void;
    let finish!: (report: IngestReport) => void;
    const started = await a.start('olga@example.test', (onProgress) => {
      progress = onProgress;
      return new Promise<IngestReport>((resolve) => (finish = resolve));
    });
    expect(started).toMatchObject({ status: 'running', startedBy: 'olga@example.test', done: 0, total: null });

    // The other process sees it running and cannot start a second one.
    await expect(b.start('ada@example.test', async () => REPORT)).rejects.toThrow(IngestRunning);
    progress({ kind: 'start', total: 3 });
    progress({ kind: 'file', done: 1, total: 3, file: 'returns.md', status: 'added' });
    expect(await until(b, (j) => j?.done === 1)).toMatchObject({ status: 'running', total: 3, currentFile: 'returns.md', holder: 'process-a' });

    finish(REPORT);
    const finished = await until(b, (j) => j?.status === 'done');
    expect(finished).toMatchObject({ report: REPORT, currentFile: null });
    // Finished: anyone may start the next one, which clears the last report.
    const next = await b.start('ada@example.test', () => new Promise<IngestReport>(() => undefined));
    expect(next.holder).toBe('process-b');
    expect((await b.current())!.report).toBeUndefined();
  });

  it('records a failure on the row, and lets a job whose process died be started again', async () => {
    const a = new IngestJobs(db.connection, 'process-a', clock);
    await a.start('olga@example.test', async () => {
      throw new Error('EACCES: permission denied, open knowledge/returns.md');
    });
    expect(await until(a, (j) => j?.status === 'failed')).toMatchObject({ error: 'EACCES: permission denied, open knowledge/returns.md' });

    // A holder that never finishes (it crashed): refused while its heartbeat is fresh, taken over once it is stale.
    await a.start('olga@example.test', () => new Promise<IngestReport>(() => undefined));
    const b = new IngestJobs(db.connection, 'process-b', clock);
    now = new Date(now.getTime() + ABANDONED_AFTER_MS - 1_000);
    await expect(b.start('ada@example.test', async () => REPORT)).rejects.toThrow(IngestRunning);
    now = new Date(now.getTime() + 2_000);
    await b.start('ada@example.test', async () => REPORT);
    expect(await until(b, (j) => j?.status === 'done')).toMatchObject({ holder: 'process-b', startedBy: 'ada@example.test', report: REPORT });
  });
});

describe('knowledge re-ingest from the console', () => {
  let t: TestGateway;
  let second: TestGateway;

  beforeAll(async () => {
    t = await startTestGateway('console_reingest', { startWorkers: false });
    second = await startTestGateway('console_reingest', { shareWith: t, startWorkers: false });
  });
  afterAll(async () => {
    await second.stop();
    await t.stop();
  });

  it('starts the job (202), shows its progress and report on every process, and audits it', async () => {
    const admin = await consoleUser(t, 'admin');
    const agent = await consoleUser(t, 'agent', { url: second.url });
    const res = await admin.call('POST', '/console/api/knowledge/reingest', {});
    expect(res.status).toBe(202);
    expect(((await res.json()) as { job: { status: string } }).job.status).toBe('running');
    expect((await agent.call('POST', '/console/api/knowledge/reingest', {})).status).toBe(403);

    type JobState = { status: string; total: number | null; done: number; report: { unchanged: number; failed: number } | null };
    let job = null as JobState | null;
    for (let i = 0; i < 500 && job?.status !== 'done'; i++) {
      job = ((await (await agent.call('GET', '/console/api/knowledge/reingest')).json()) as { job: JobState | null }).job;
    }
    expect(job).toMatchObject({ status: 'done' });
    // The demo folder was ingested at start: every file is counted and none changed.
    expect(job!.done).toBe(job!.total);
    expect(job!.report).toMatchObject({ failed: 0, unchanged: job!.total });

    const audit = ((await (await admin.call('GET', '/console/api/audit?action=knowledge.reingest')).json()) as { events: Array<{ detail: string | null }> }).events;
    expect(audit.map((e) => e.detail)).toEqual(['started']);
  });
});
