import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';
import { reportProgress } from './progress.js';
import type { BenchSettings } from './settings.js';
import { median } from './stats.js';
import { libraries, type Library } from './subjects.js';

export const bundleNames = ['bare', ...libraries] as const;
export type BundleName = (typeof bundleNames)[number];

/** One bundle: minified bytes, gzip bytes, and the median ms a fresh `node` takes to import it. */
export interface BundleFigures {
  readonly rawBytes: number;
  readonly gzipBytes: number;
  readonly importMs: number;
}

/** Each bundle, what each library adds to the bare one, and ours/theirs of what they add. */
export interface BundleResults {
  readonly bundles: Record<BundleName, BundleFigures>;
  readonly added: Record<Library, BundleFigures>;
  readonly ratio: BundleFigures;
}

// Inside node_modules, so the external SDK imports resolve to the project's copy and git ignores the output.
const outputDirectory = fileURLToPath(new URL('../node_modules/.cache/lambda-idempotency-bench/', import.meta.url));
const packedDirectory = `${outputDirectory}packed/`;
const repositoryRoot = fileURLToPath(new URL('../', import.meta.url));
const execFileAsync = promisify(execFile);

/**
 * Bundles the same minimal handler bare and with each middleware, as Lambda's Node runtimes get it: minified ESM with
 * the AWS SDK external (the runtime provides it). Ours is the package as `npm pack` ships it, so the figure is what a
 * user's bundle gains. Import time runs each bundle in fresh processes, in rotating order.
 */
export async function measureBundles(settings: BenchSettings): Promise<BundleResults> {
  await mkdir(outputDirectory, { recursive: true });
  reportProgress('packing lambda-idempotency (npm pack builds it)');
  const packed = await packedPackage();
  const sizes = new Map<BundleName, { rawBytes: number; gzipBytes: number }>();
  for (const name of bundleNames) {
    reportProgress(`bundling ${name}`);
    const contents = await bundle(name, packed);
    await writeFile(`${outputDirectory}${name}.mjs`, contents);
    sizes.set(name, { rawBytes: contents.byteLength, gzipBytes: gzipSync(contents, { level: 9 }).byteLength });
  }
  const importTimes = new Map<BundleName, number[]>(bundleNames.map((name) => [name, []]));
  for (let run = 0; run < settings.importRuns; run++) {
    reportProgress(`import time: fresh node process ${run + 1}/${settings.importRuns}`);
    for (let turn = 0; turn < bundleNames.length; turn++) {
      const name = bundleNames[(run + turn) % bundleNames.length] as BundleName;
      importTimes.get(name)?.push(await timeImport(`${outputDirectory}${name}.mjs`));
    }
  }
  const figures = (name: BundleName): BundleFigures => ({
    ...(sizes.get(name) as { rawBytes: number; gzipBytes: number }),
    importMs: median(importTimes.get(name) as number[]),
  });
  const bundles = Object.fromEntries(bundleNames.map((name) => [name, figures(name)])) as Record<BundleName, BundleFigures>;
  const minus = (a: BundleFigures, b: BundleFigures): BundleFigures => ({
    rawBytes: a.rawBytes - b.rawBytes,
    gzipBytes: a.gzipBytes - b.gzipBytes,
    importMs: a.importMs - b.importMs,
  });
  const added = { ours: minus(bundles.ours, bundles.bare), powertools: minus(bundles.powertools, bundles.bare) };
  const ratio = {
    rawBytes: added.ours.rawBytes / added.powertools.rawBytes,
    gzipBytes: added.ours.gzipBytes / added.powertools.gzipBytes,
    importMs: bundles.ours.importMs / bundles.powertools.importMs,
  };
  return { bundles, added, ratio };
}

/** Packs this repository and unpacks the tarball; returns a plugin that resolves `lambda-idempotency` to its `exports`. */
async function packedPackage(): Promise<Plugin> {
  await rm(packedDirectory, { recursive: true, force: true });
  await mkdir(packedDirectory, { recursive: true });
  await execFileAsync('npm', ['pack', '--pack-destination', packedDirectory, '--loglevel=error'], { cwd: repositoryRoot, maxBuffer: 16 * 1024 * 1024 });
  const tarball = (await readdir(packedDirectory)).find((file) => file.endsWith('.tgz')) as string;
  await execFileAsync('tar', ['-xzf', tarball], { cwd: packedDirectory });
  const root = join(packedDirectory, 'package');
  const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { exports: Record<string, { default: string }> };
  const entries = new Map(Object.entries(manifest.exports).map(([subpath, target]) => [`lambda-idempotency${subpath.slice(1)}`, target]));
  return {
    name: 'packed-lambda-idempotency',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^lambda-idempotency(\/.*)?$/ }, ({ path }) => {
        const target = entries.get(path);
        if (target === undefined) throw new Error(`The packed package does not export ${path}`);
        return { path: join(root, target.default) };
      });
    },
  };
}

async function bundle(name: BundleName, packed: Plugin): Promise<Uint8Array> {
  const result = await build({
    plugins: [packed],
    entryPoints: [fileURLToPath(new URL(`./bundle-entries/${name}.ts`, import.meta.url))],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['@aws-sdk/*'],
    write: false,
    logLevel: 'silent',
  });
  return (result.outputFiles[0] as { contents: Uint8Array }).contents;
}

/** Milliseconds a fresh `node` spends in `import()` of the bundle, the SDK it loads included. */
async function timeImport(file: string): Promise<number> {
  const script = `const started = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - started));`;
  const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '--eval', script], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_REGION: 'us-east-1' },
  });
  return Number(stdout);
}
