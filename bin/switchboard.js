#!/usr/bin/env node
'use strict';
// Runs the TypeScript sources directly (tsx's require hook): no build step between a clone and `npm start`.
require('tsx/cjs/api').register();
require('../src/cli/index.ts')
  .main(process.argv)
  .catch((err) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  });
