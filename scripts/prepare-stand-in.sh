#!/usr/bin/env bash
# Downloads the MongoDB stand-in's jars and caches their classpath (node_modules/.cache/switchboard-mongo/),
# so a fresh CI machine pays for Maven Central once, in a step of its own, rather than inside the first test.
# Optional argument: a cache directory other than the default.
set -euo pipefail
cd "$(dirname "$0")/.."
exec npx --no-install tsx src/store/prepare.ts "$@"
