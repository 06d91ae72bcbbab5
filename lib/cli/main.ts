#!/usr/bin/env node
import { runCli } from './program.js';

// A reader that stops early (`| head`) closes stdout: the listing simply ends.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});
// The SDK warns on Node 20 about its releases of 2027 in seven lines on stderr, at each client it creates: a matter for the
// project's dependencies, not for an operator's session, whose failures must stay one line. A value set by the caller wins.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.exitCode = await runCli(process.argv);
