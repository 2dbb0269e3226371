import type { Embedder } from '../../../knowledge/embedder';
import { EmbeddedEmbedder, type EmbeddedEmbedderOptions } from './embedded-embedder';
import { BGE_SMALL_EN_V15_Q, cachedModelFiles, DEFAULT_MODELS_DIR, prepareModel, type ModelSpec } from './model-files';

export { EmbeddedEmbedder, type EmbeddedEmbedderOptions } from './embedded-embedder';
export { BGE_SMALL_EN_V15_Q, cachedModelFiles, DEFAULT_MODELS_DIR, MINILM_L6_V2_Q, prepareModel, ModelUnavailableError, type ModelFiles } from './model-files';

export interface LoadEmbeddedEmbedderOptions extends EmbeddedEmbedderOptions {
  cacheDir?: string;
  /** The encoder (default bge-small-en-v1.5 int8, the brain's shared encoder). */
  spec?: ModelSpec;
  /**
   * When the model is not cached: download it with Maven now (true, the default) or give up at once (false, e.g.
   * in tests and evals that must not touch the network).
   */
  prepare?: boolean;
  /** The Maven executable (default `mvn` on PATH). */
  mvn?: string;
  /** Progress and the reason for running without the model. Defaults to stderr. */
  log?: (line: string) => void;
}

/**
 * The embedded embedder, or undefined when its model cannot be had (not cached and no Maven, offline, a broken
 * download): the caller then runs lexical-only, which keeps the product working. Never throws.
 */
export async function loadEmbeddedEmbedder(options: LoadEmbeddedEmbedderOptions = {}): Promise<Embedder | undefined> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const cacheDir = options.cacheDir ?? DEFAULT_MODELS_DIR;
  const spec = options.spec ?? BGE_SMALL_EN_V15_Q;
  try {
    let files = cachedModelFiles(spec, cacheDir);
    if (!files) {
      if (options.prepare === false) {
        log(`embeddings: model ${spec.id} is not prepared in ${cacheDir} (run scripts/prepare-models.sh); retrieval is lexical-only`);
        return undefined;
      }
      log(`embeddings: model ${spec.id} is not cached yet, preparing it (once)`);
      files = await prepareModel({ spec, cacheDir, log: (line) => log(`embeddings: ${line}`), ...(options.mvn ? { mvn: options.mvn } : {}) });
    }
    return await EmbeddedEmbedder.load(files, options);
  } catch (err) {
    log(
      `embeddings: WARNING the embedded model ${spec.id} is unavailable, retrieval is lexical-only: ` +
        `${err instanceof Error ? err.message : String(err)}`,
    );
    return undefined;
  }
}
