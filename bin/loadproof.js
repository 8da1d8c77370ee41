#!/usr/bin/env node
// The loadproof command. Registers tsx so the TypeScript sources and TypeScript plans run
// without a build step, then hands over to the CLI.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
