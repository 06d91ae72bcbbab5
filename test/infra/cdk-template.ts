import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, type AppProps } from 'aws-cdk-lib';

/** A fresh cloud-assembly folder, and a way to remove it after the file's tests. */
export function createOutdir(): { outdir: string; remove: () => void } {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-test-'));
  return { outdir, remove: () => rmSync(outdir, { recursive: true, force: true }) };
}

/**
 * App props for template tests: a temporary outdir, and no esbuild bundling, which `npm run synth` covers.
 * The handler files must still exist: NodejsFunction checks its entry either way.
 */
export function templateAppProps(outdir: string): AppProps {
  return { outdir, context: { 'aws:cdk:bundling-stacks': [] } };
}

/** A stack in an app that writes to `outdir`, for testing one construct on its own. */
export function createTestStack(outdir: string): Stack {
  return new Stack(new App(templateAppProps(outdir)), 'TestStack');
}
