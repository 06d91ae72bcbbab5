/** One entry of an npm v3 lockfile's `packages` map: the fields this module reads, the rest copied as they are. */
export interface LockedPackage {
  readonly name?: string;
  readonly version?: string;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { readonly optional?: boolean }>;
  readonly [field: string]: unknown;
}

/** The parts of an npm v3 lockfile this module reads. */
export interface Lockfile {
  readonly packages: Record<string, LockedPackage>;
}

/** A package a consumer project installs: its name there, and the folder of the project's lockfile that holds the version to use. */
export interface ConsumerPackage {
  readonly name: string;
  /** `node_modules/<name>`, or the folder of an npm alias (`node_modules/<alias>`) that holds another version. */
  readonly lockPath: string;
}

// Flags that describe the package's place in *this* project (dev-only, peer-only); npm recomputes them for the consumer.
const projectFlags = new Set(['dev', 'devOptional', 'peer', 'extraneous']);

/**
 * The lockfile entries a consumer project needs for `packages` and everything they depend on, taken from this project's
 * lockfile, so that `npm ci --offline` in the consumer installs exactly the versions `npm ci` here put in the npm cache.
 *
 * Dependencies are found the way Node finds them, walking up from the dependent's folder in this project's layout; an
 * alias folder is renamed to the real package name together with everything nested in it, so the layout, and with
 * it what each package resolves to, stays the same.
 * @throws {Error} when a required dependency is not in the lockfile, or two versions would land in one folder.
 */
export function consumerLockPackages(lockfile: Lockfile, packages: readonly ConsumerPackage[]): Record<string, LockedPackage> {
  const renames = packages.filter(({ name, lockPath }) => lockPath !== `node_modules/${name}`);
  const toConsumerPath = (path: string): string => {
    const rename = renames.find(({ lockPath }) => path === lockPath || path.startsWith(`${lockPath}/`));
    return rename === undefined ? path : `node_modules/${rename.name}${path.slice(rename.lockPath.length)}`;
  };
  const chosen = new Map<string, string>();
  const entries: Record<string, LockedPackage> = {};
  const queue = packages.map(({ lockPath }) => lockPath);
  for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
    const target = toConsumerPath(path);
    const earlier = chosen.get(target);
    if (earlier === path) continue;
    if (earlier !== undefined) throw new Error(`Two versions for ${target}: ${earlier} and ${path}`);
    chosen.set(target, path);
    const entry = requireEntry(lockfile, path);
    entries[target] = withoutProjectFlags(entry, target !== path);
    for (const [dependency, required] of dependenciesOf(entry)) {
      const found = findDependency(lockfile, path, dependency);
      if (found !== undefined) queue.push(found);
      else if (required) throw new Error(`${path} needs ${dependency}, which the lockfile does not hold`);
    }
  }
  return entries;
}

function requireEntry(lockfile: Lockfile, path: string): LockedPackage {
  const entry = lockfile.packages[path];
  if (entry === undefined) throw new Error(`The lockfile has no ${path}`);
  return entry;
}

function withoutProjectFlags(entry: LockedPackage, renamed: boolean): LockedPackage {
  // A renamed alias entry carries the real name in `name`; in the consumer the folder already says it.
  return Object.fromEntries(Object.entries(entry).filter(([field]) => !projectFlags.has(field) && !(renamed && field === 'name')));
}

/** Each dependency name with whether it must be present: optional dependencies and optional peers need not be. */
function dependenciesOf(entry: LockedPackage): Array<[string, boolean]> {
  const optionalPeers = entry.peerDependenciesMeta ?? {};
  return [
    ...Object.keys(entry.dependencies ?? {}).map((name): [string, boolean] => [name, true]),
    ...Object.keys(entry.optionalDependencies ?? {}).map((name): [string, boolean] => [name, false]),
    ...Object.keys(entry.peerDependencies ?? {})
      .filter((name) => optionalPeers[name]?.optional !== true)
      .map((name): [string, boolean] => [name, true]),
  ];
}

/** The folder Node would load `dependency` from, for a package in folder `from`: its own node_modules, then each parent's. */
function findDependency(lockfile: Lockfile, from: string, dependency: string): string | undefined {
  for (let folder: string | undefined = from; folder !== undefined; folder = parentFolder(folder)) {
    const candidate = folder === '' ? `node_modules/${dependency}` : `${folder}/node_modules/${dependency}`;
    if (lockfile.packages[candidate] !== undefined) return candidate;
  }
  return undefined;
}

function parentFolder(folder: string): string | undefined {
  if (folder === '') return undefined;
  const nested = folder.lastIndexOf('/node_modules/');
  return nested === -1 ? '' : folder.slice(0, nested);
}
