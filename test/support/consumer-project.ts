import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { consumerLockPackages, type ConsumerPackage, type Lockfile } from './consumer-lockfile.js';

/** The root of this repository, where `npm pack` runs. */
export const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const consumerSources = fileURLToPath(new URL('../package/consumer/', import.meta.url));
const execFileAsync = promisify(execFile);

/**
 * Runs a command to its end and returns what it printed.
 * @throws {Error} when it exits non-zero, with the command and everything it printed, so a failed step says why.
 */
export async function run(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, { cwd: options.cwd, env: options.env ?? process.env, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${options.cwd}:\n${stdout ?? ''}\n${stderr ?? ''}`, { cause: error });
  }
}

/** Packs this repository with `npm pack` (which builds first, through `prepack`) into `directory`; returns the tarball's file name. */
export async function packRepository(directory: string): Promise<string> {
  await run('npm', ['pack', '--pack-destination', directory, '--loglevel=error'], { cwd: repositoryRoot });
  const tarballs = (await readdir(directory)).filter((file) => file.endsWith('.tgz'));
  if (tarballs.length !== 1) throw new Error(`Expected one tarball in ${directory}, found ${tarballs.join(', ') || 'none'}`);
  return tarballs[0] as string;
}

/**
 * Writes a consumer project in `directory` (which holds the tarball) that depends on the packed package and on
 * `packages`, with a lockfile pinning them to the versions of this repository's lockfile, and installs it with
 * `npm ci --offline`: everything comes from the npm cache that `npm ci` filled here. Then `npm ls --all` checks that
 * every dependency and peer range of the installed tree, ours included, is met.
 */
export async function installConsumer(directory: string, tarball: string, packages: readonly ConsumerPackage[]): Promise<void> {
  const ours = JSON.parse(await readFile(join(repositoryRoot, 'package.json'), 'utf8')) as Record<string, unknown> & { version: string };
  const lockfile = JSON.parse(await readFile(join(repositoryRoot, 'package-lock.json'), 'utf8')) as Lockfile;
  const ourDependencies = Object.keys((ours.dependencies ?? {}) as Record<string, string>).map((name) => ({ name, lockPath: `node_modules/${name}` }));
  const locked = consumerLockPackages(lockfile, [...packages, ...ourDependencies]);
  const versionOf = ({ name }: ConsumerPackage) => locked[`node_modules/${name}`]?.version as string;
  const dependencies = { 'lambda-idempotency': `file:${tarball}`, ...Object.fromEntries(packages.map((item) => [item.name, versionOf(item)])) };
  const manifest = { name: 'consumer', version: '1.0.0', private: true, type: 'module', dependencies };
  const integrity = `sha512-${createHash('sha512')
    .update(await readFile(join(directory, tarball)))
    .digest('base64')}`;
  const ourEntry = {
    version: ours.version,
    resolved: `file:${tarball}`,
    integrity,
    license: ours.license,
    dependencies: ours.dependencies,
    peerDependencies: ours.peerDependencies,
    peerDependenciesMeta: ours.peerDependenciesMeta,
    engines: ours.engines,
    // npm ci links the commands its lockfile lists, as `npm install` records them.
    bin: ours.bin,
  };
  const consumerLock = {
    name: 'consumer',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: { '': manifest, 'node_modules/lambda-idempotency': ourEntry, ...locked },
  };
  await writeFile(join(directory, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(join(directory, 'package-lock.json'), `${JSON.stringify(consumerLock, null, 2)}\n`);
  for (const file of await readdir(consumerSources)) await copyFile(join(consumerSources, file), join(directory, file));
  await run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: directory });
  await run('npm', ['ls', '--all', '--offline'], { cwd: directory });
}
