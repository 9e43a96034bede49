#!/usr/bin/env node
// Entry of `npx quantbench`: loads tsx so the TypeScript CLI runs straight from source (no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
