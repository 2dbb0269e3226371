// After `npm install`: fetch the embedded store's jars and the embedded embedding model from Maven Central once,
// so the first `npm start`, `npm test` or `switchboard eval` needs no network. Never fails the install: without
// Java/Maven the gateway explains what is missing when it starts (or use MONGODB_URI), and retrieval runs on
// keywords until the model is prepared (bash scripts/prepare-models.sh).
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

if (process.env.SWITCHBOARD_SKIP_PREPARE) process.exit(0);
const hasMaven = spawnSync('mvn', ['-v'], { stdio: 'ignore' }).status === 0;
if (!hasMaven) {
  console.warn('switchboard: Maven not found; the embedded store and embedding model will be prepared on first use (or set MONGODB_URI).');
  process.exit(0);
}
for (const script of ['prepare-stand-in.sh', 'prepare-models.sh']) {
  const result = spawnSync('bash', [join(__dirname, script)], { stdio: 'inherit' });
  if (result.status !== 0) console.warn(`switchboard: scripts/${script} failed; it will be retried on first use.`);
}
