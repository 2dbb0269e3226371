// Downloads and verifies the embedded embedding model ahead of time (CI on a fresh machine, Docker image builds), so
// neither the first test run nor the gateway's first start pays for it. Run via scripts/prepare-models.sh.
// Optional argument: a cache directory other than node_modules/.cache/switchboard-models.
import { BGE_SMALL_EN_V15_Q, MINILM_L6_V2_Q, prepareModel } from './model-files';

async function main(): Promise<void> {
  // bge-small is the shared encoder; MiniLM's token table still feeds the intent model's static-embedding block.
  for (const spec of [BGE_SMALL_EN_V15_Q, MINILM_L6_V2_Q]) {
    const started = Date.now();
    const files = await prepareModel({ spec, cacheDir: process.argv[2] || undefined, log: (line) => console.log(line) });
    console.log(`embedding model ${files.spec.id} ready: ${files.dir} (${Date.now() - started} ms)`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
