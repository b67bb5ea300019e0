#!/usr/bin/env node
// The CLI is TypeScript; tsx compiles it on the fly so the package needs no build step to run.
import { register } from 'tsx/esm/api';

register();
await import('../server/cli.ts');
