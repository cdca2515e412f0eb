#!/usr/bin/env node
// Runs the TypeScript terminal client through tsx's loader (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../server/cli/parleyClient.ts');
