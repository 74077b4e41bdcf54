// A consumer project's package-lock.json cut from this repo's lockfile, so `npm ci --offline` installs the packed
// tarball and the tools beside it from the npm cache that `npm ci` of the repo filled: no registry in the tests, and
// the same versions the repo was tested with.

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [key: string]: unknown;
}

export interface Lockfile {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
  [key: string]: unknown;
}

export interface ConsumerManifest {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

/** Where Node would find `name` when required from the package installed at `from` ("" is the project root). */
function locate(packages: Lockfile["packages"], from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ""}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (base === "") return undefined;
    const parent = base.lastIndexOf("/node_modules/");
    base = parent === -1 ? "" : base.slice(0, parent);
  }
}

/** The lockfile of `manifest`, whose dependencies are `extra` entries (the tarball) or entries of `repoLock`. */
export function consumerLockfile(
  repoLock: Lockfile,
  manifest: ConsumerManifest,
  extra: Record<string, LockEntry>,
): Lockfile {
  const source = { ...repoLock.packages, ...extra };
  const packages: Lockfile["packages"] = {
    "": {
      name: manifest.name,
      version: manifest.version,
      dependencies: manifest.dependencies,
      devDependencies: manifest.devDependencies,
    },
  };
  const queue: [string, Record<string, string>, boolean][] = [];
  const visit = (from: string, entry: LockEntry) => {
    queue.push([from, entry.dependencies ?? {}, true]);
    queue.push([from, entry.optionalDependencies ?? {}, false]);
    queue.push([from, entry.peerDependencies ?? {}, false]);
  };
  visit("", { dependencies: { ...manifest.dependencies, ...manifest.devDependencies } });
  for (let item = queue.shift(); item; item = queue.shift()) {
    const [from, dependencies, required] = item;
    for (const name of Object.keys(dependencies)) {
      const at = locate(source, from, name);
      if (!at) {
        if (required) throw new Error(`${name}, needed by ${from || "the consumer"}, is not in the repo's lockfile.`);
        continue;
      }
      if (packages[at]) continue;
      packages[at] = source[at] as LockEntry;
      visit(at, source[at] as LockEntry);
    }
  }
  return { name: manifest.name, version: manifest.version, lockfileVersion: 3, requires: true, packages };
}
