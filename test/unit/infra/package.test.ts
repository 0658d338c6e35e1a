import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { unzipSync } from 'fflate';

import { buildPackage, type PackageResult, productionPackageDirs } from '../../../scripts/package';
import { AZURE_REQUIRED_SETTINGS } from '../../../src/config';

const repoRoot = path.resolve(__dirname, '..', '..', '..');

interface Manifest {
  main?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** `…node_modules/<name>/package.json` or `…node_modules/@scope/<name>/package.json`: a package's own manifest. */
const PACKAGE_MANIFEST = /^((?:.*\/)?node_modules\/(?:@[^/]+\/)?[^/]+)\/package\.json$/;

/** Entry names of a zip, and the manifests of the packages in it (by folder, e.g. `node_modules/@azure/core-auth`). */
function readZip(zip: Uint8Array): { names: string[]; packages: Map<string, Manifest> } {
  const names: string[] = [];
  const contents = unzipSync(zip, {
    filter: (file) => {
      names.push(file.name);
      return PACKAGE_MANIFEST.test(file.name);
    },
  });
  const packages = new Map<string, Manifest>();
  for (const [name, data] of Object.entries(contents)) {
    const folder = PACKAGE_MANIFEST.exec(name)?.[1];
    if (folder) packages.set(folder, JSON.parse(Buffer.from(data).toString('utf8')) as Manifest);
  }
  return { names, packages };
}

/** Where Node finds `name` when `from` (a package folder, '' for the app) requires it: the nearest node_modules up. */
function resolvePackage(from: string, name: string, packages: Map<string, Manifest>): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base === '' ? '' : `${base}/`}node_modules/${name}`;
    if (packages.has(candidate)) return candidate;
    if (base === '') return undefined;
    const parent = base.lastIndexOf('/node_modules/');
    base = parent < 0 ? '' : base.slice(0, parent);
  }
}

/** Packages the app needs at run time: dependencies and required peers, followed from package.json. */
function runtimeClosure(app: Manifest, packages: Map<string, Manifest>): { needed: Set<string>; missing: string[] } {
  const needed = new Set<string>();
  const missing: string[] = [];
  const visit = (from: string, manifest: Manifest): void => {
    const peers = Object.keys(manifest.peerDependencies ?? {}).filter(
      (peer) => manifest.peerDependenciesMeta?.[peer]?.optional !== true,
    );
    for (const name of [...Object.keys(manifest.dependencies ?? {}), ...peers]) {
      const found = resolvePackage(from, name, packages);
      if (!found) missing.push(`${name} (needed by ${from || 'the app'})`);
      else if (!needed.has(found)) {
        needed.add(found);
        visit(found, packages.get(found) ?? {});
      }
    }
  };
  visit('', app);
  return { needed, missing };
}

/** Every file below `root`, as `/`-separated relative paths. */
async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
}

describe('npm run package (the zip azd deploys)', () => {
  let outDir: string;
  let result: PackageResult;
  let app: Manifest;
  let zip: Uint8Array;
  let names: string[];
  let packages: Map<string, Manifest>;

  beforeAll(async () => {
    outDir = await realpath(await mkdtemp(path.join(tmpdir(), 'package-')));
    result = await buildPackage({ projectRoot: repoRoot, outDir });
    app = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as Manifest;
    zip = await readFile(result.zipPath ?? '');
    ({ names, packages } = readZip(zip));
  }, 180_000);

  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  it('holds the entry point that package.json "main" names, beside package.json and host.json', () => {
    expect(app.main).toBeDefined();
    expect(names).toEqual(expect.arrayContaining([app.main, 'package.json', 'host.json']));
    const topLevel = new Set(names.map((name) => name.split('/')[0]));
    const buildOutput = app.main?.split('/')[0] ?? '';
    // A bundle with every dependency inlined (and moved to devDependencies) would need no node_modules at all.
    const dependencies = Object.keys(app.dependencies ?? {}).length > 0 ? ['node_modules'] : [];
    expect([...topLevel].sort()).toEqual(
      [...new Set(['host.json', 'package.json', buildOutput, ...dependencies])].sort(),
    );
  });

  it('holds every package the app needs at run time, as Node resolves it, and no other', () => {
    const { needed, missing } = runtimeClosure(app, packages);
    expect(missing).toEqual([]);
    expect([...packages.keys()].filter((folder) => !needed.has(folder))).toEqual([]);
    expect(needed.size).toBeGreaterThanOrEqual(Object.keys(app.dependencies ?? {}).length);
  });

  it('holds no devDependency and no optional dependency', () => {
    const unwanted = [...Object.keys(app.devDependencies ?? {}), ...Object.keys(app.optionalDependencies ?? {})];
    const present = [...packages.keys()].filter((folder) =>
      unwanted.some((name) => folder === `node_modules/${name}` || folder.endsWith(`/node_modules/${name}`)),
    );
    expect(present).toEqual([]);
  });

  it('holds no test, emulator, dev, bench or scripts file, and no source, map or local setting', () => {
    const projectFolders = /(^|\/)(test|emulator|dev|bench|scripts|infra|docs|coverage)\//;
    expect(names.filter((name) => !name.startsWith('node_modules/') && projectFolders.test(name))).toEqual([]);
    expect(names.filter((name) => /\.(ts|mts|cts|map)$/.test(name))).toEqual([]);
    const localOnly = /(^|\/)(local\.settings[^/]*\.json|\.funcignore|package-lock\.json)$/;
    expect(names.filter((name) => localOnly.test(name))).toEqual([]);
  });

  it('holds exactly the stage azd zips, less its .funcignore', async () => {
    const staged = await listFiles(result.stageDir);
    expect([...names].sort()).toEqual(staged.filter((file) => file !== '.funcignore').sort());
  });

  it('starts: the entry point loads from the stage and registers its functions, with nothing from outside it', () => {
    // The stage is in a temporary folder, so Node finds no node_modules above it to fall back on: any module the
    // package lacks fails to load. load-entry.cjs loads it as the Functions worker does.
    const settings = Object.fromEntries(AZURE_REQUIRED_SETTINGS.map((name) => [name, 'https://example.invalid/']));
    const run = spawnSync(
      process.execPath,
      [path.join(repoRoot, 'test', 'helpers', 'load-entry.cjs'), app.main ?? ''],
      {
        cwd: result.stageDir,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, ...settings },
      },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as { functions: unknown[] };
    expect(report.functions.length).toBeGreaterThan(20);
  });
});

describe('productionPackageDirs', () => {
  it('keeps what npm ci --omit=dev --omit=optional installs', () => {
    const lockfile = {
      lockfileVersion: 3,
      packages: {
        '': { name: 'app' },
        'node_modules/runtime': { version: '1.0.0' },
        'node_modules/runtime/node_modules/nested': { version: '2.0.0' },
        'node_modules/tool': { version: '1.0.0', dev: true },
        'node_modules/native-extra': { version: '1.0.0', optional: true },
        'node_modules/either': { version: '1.0.0', devOptional: true },
      },
    };
    expect(productionPackageDirs(lockfile)).toEqual([
      'node_modules/runtime',
      'node_modules/runtime/node_modules/nested',
    ]);
  });

  it('refuses a lockfile without a packages map (npm 6)', () => {
    expect(() => productionPackageDirs({ lockfileVersion: 1, dependencies: {} })).toThrow(/lockfileVersion 2/);
  });
});
