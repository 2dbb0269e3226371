import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { knowledgeIngestCommand } from '../../src/cli/knowledge';
import { Capture } from '../support/capture';
import { uriWithDb } from '../support/mongo-uri';
import { FakeEmbedder } from './fake-embedder';
import { installPdfWorkerForJest } from './pdf-fixture';

installPdfWorkerForJest();

const FIXTURES = join(__dirname, '..', 'fixtures', 'knowledge', 'kb');

describe('switchboard knowledge ingest', () => {
  const dbName = `sb_test_knowledge_cli_${randomBytes(4).toString('hex')}`;
  const uri = uriWithDb(process.env.MONGODB_URI!, dbName);

  afterAll(async () => {
    const connection = await mongoose.createConnection(uri).asPromise();
    await connection.dropDatabase();
    await connection.close();
    process.exitCode = undefined;
  });

  it('prints progress per file on a non-terminal, the JSON summary last, and exits 1 for the broken file', async () => {
    const stdout = new Capture();
    const stderr = new Capture();
    const embedder = new FakeEmbedder();
    const env = { MONGODB_URI: uri, LOG_LEVEL: 'silent' };
    const report = await knowledgeIngestCommand(FIXTURES, { embed: true, baseUrl: 'https://help.example' }, { stdout, stderr, env, loadEmbedder: async () => embedder });
    expect(process.exitCode).toBe(1);
    process.exitCode = undefined;
    expect(JSON.parse(stdout.text)).toEqual(report);
    expect(report).toMatchObject({ added: 4, failed: 1, vectorModel: 'fake-v1' });
    expect(stderr.text).toContain('[1/5] broken.pdf: failed (not a readable PDF');
    expect(stderr.text).toContain('[5/5] store-info.txt: added');
    expect(stderr.text).toContain('1 file(s) could not be ingested');

    const again = await knowledgeIngestCommand(FIXTURES, { embed: false }, { stdout: new Capture(), stderr: new Capture(), env });
    // No base URL changes the links of the documents that do not name their own page (the two text files); the
    // markdown (front matter url) and the HTML page (canonical link) stay as they are.
    expect(again).toMatchObject({ updated: 2, unchanged: 2, failed: 1, embedded: 0 });
    process.exitCode = undefined;
  });

  it('rejects a missing path with exit code 2', async () => {
    const stderr = new Capture();
    const report = await knowledgeIngestCommand(join(FIXTURES, 'nope'), {}, { stdout: new Capture(), stderr, env: { MONGODB_URI: uri } });
    expect(report).toBeUndefined();
    expect(process.exitCode).toBe(2);
    expect(stderr.text).toMatch(/no such file or folder/);
    process.exitCode = undefined;
  });
});
