#!/usr/bin/env node
import { runCli } from './program.js';

// A reader that stops early (`| head`) closes stdout: the listing simply ends.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});
process.exitCode = await runCli(process.argv);
