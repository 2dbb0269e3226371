// Resolves the stand-in's Maven classpath ahead of time (CI on a fresh machine, Docker image builds), so the
// first test run or `npm start` does not pay for the Maven Central download. Run via scripts/prepare-stand-in.sh.
import path from 'node:path';

import { resolveStandInClasspath } from './embedded-mongo';

async function main(): Promise<void> {
  const started = Date.now();
  const classpath = await resolveStandInClasspath(process.argv[2] || undefined);
  const jars = classpath.split(path.delimiter).length;
  console.log(`stand-in classpath ready: ${jars} jars (${Date.now() - started} ms)`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
