#!/usr/bin/env node
/**
 * The installed `strata` bin (package.json "bin"; `npx strata ...` from the checkout): runs
 * apps/cli/src/main.ts from source through @swc-node/register with the checkout's tsconfig, so
 * the `@strata/*` path aliases resolve whatever the current directory is.
 */
const path = require('node:path');
const root = path.resolve(__dirname, '../../..');
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || path.join(root, 'tsconfig.json');
require(require.resolve('@swc-node/register', { paths: [root] }));
require(path.join(root, 'apps/cli/src/main.ts'));
