import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's `chromium` package: Playwright's own browser download cannot run here, so `.ci/run` installs this one. */
export const chromiumPath = '/usr/bin/chromium';

/**
 * Launches headless Chromium from {@link chromiumPath} through `playwright-core`.
 * @throws {Error} naming the package to install when Chromium is missing.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) throw new Error(`The browser tests need Chromium at ${chromiumPath}: apt-get install -y chromium (.ci/run does it)`);
  // As root in a container Chromium has no user namespace for its sandbox.
  return chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
}
