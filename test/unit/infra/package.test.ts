import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { unzipSync } from 'fflate';
import ignore, { type Ignore } from 'ignore';

import { BUNDLE_DIR } from '../../../scripts/build';
import { allowListConflicts, buildPackage, type PackageResult, productionPackageDirs } from '../../../scripts/package';
import { DEPLOYMENT_ALLOW_LIST } from '../../../scripts/package-allow-list';
import { AZURE_REQUIRED_SETTINGS } from '../../../src/config';

const repoRoot = path.resolve(__dirname, '..', '..', '..');

/** Left out of the project copy the package is built from: installed, generated, local or version-control state. */
const NOT_COPIED = new Set(['node_modules', '.git', '.local', '.azure', 'dist', 'coverage', 'local.settings.json']);

/**
 * Files a developer might leave at the project root. `.env` is also named by .funcignore; `notes.txt` and `backup/`
 * are named by nothing there, so only the deployment allow-list keeps them out.
 */
const STRAY_FILES: Record<string, string> = {
  '.env': 'ACS_ACCESS_KEY=not-a-real-key\n',
  'notes.txt': 'deployment notes\n',
  'backup/settings.json': '{ "key": "not-a-real-key" }\n',
};
const STRAY_TOP_LEVEL = [...new Set(Object.keys(STRAY_FILES).map((file) => file.split('/')[0] ?? file))];

/** A copy of the project in `copyRoot`, sharing the installed node_modules, with the stray files at its root. */
async function copyProjectWithStrays(copyRoot: string): Promise<void> {
  await cp(repoRoot, copyRoot, {
    recursive: true,
    filter: (source) => !NOT_COPIED.has(path.relative(repoRoot, source).split(path.sep).join('/')),
  });
  // A junction on Windows, where a directory symbolic link needs privileges; the type is ignored elsewhere.
  await symlink(await realpath(path.join(repoRoot, 'node_modules')), path.join(copyRoot, 'node_modules'), 'junction');
  for (const [file, text] of Object.entries(STRAY_FILES)) {
    await mkdir(path.dirname(path.join(copyRoot, file)), { recursive: true });
    await writeFile(path.join(copyRoot, file), text);
  }
}

/** The project's .funcignore, parsed as scripts/package.ts and azd parse it (case-sensitive). */
async function readFuncignore(): Promise<{ text: string; rules: Ignore }> {
  const text = await readFile(path.join(repoRoot, '.funcignore'), 'utf8');
  return { text, rules: ignore({ ignorecase: false }).add(text) };
}

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
  let tempDir: string;
  let projectCopy: string;
  let result: PackageResult;
  let app: Manifest;
  let zip: Uint8Array;
  let names: string[];
  let packages: Map<string, Manifest>;

  beforeAll(async () => {
    // Built from a copy, so that the stray files never touch the real tree.
    tempDir = await realpath(await mkdtemp(path.join(tmpdir(), 'package-')));
    projectCopy = path.join(tempDir, 'project');
    await copyProjectWithStrays(projectCopy);
    result = await buildPackage({ projectRoot: projectCopy, outDir: path.join(tempDir, 'out') });
    app = JSON.parse(await readFile(path.join(projectCopy, 'package.json'), 'utf8')) as Manifest;
    zip = await readFile(result.zipPath ?? '');
    ({ names, packages } = readZip(zip));
  }, 180_000);

  afterAll(async () => {
    await rm(tempDir, { recursive: true, force: true });
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

  it('holds exactly host.json, package.json and the code the build wrote to dist/, less its source maps', async () => {
    const built = (await listFiles(path.join(projectCopy, BUNDLE_DIR))).map((file) => `${BUNDLE_DIR}/${file}`);
    // The build writes source maps, so leaving them out is tested too.
    expect(built.filter((file) => file.endsWith('.map')).length).toBeGreaterThan(0);
    const expected = ['host.json', 'package.json', ...built.filter((file) => !file.endsWith('.map'))];
    // Production dependencies, none today, are checked package by package above.
    const outsideNodeModules = names.filter((name) => !name.startsWith('node_modules/'));
    expect(outsideNodeModules.sort()).toEqual(expected.sort());
  });

  it('leaves out what a developer left at the project root (.env, notes.txt, backup/), in the stage and the zip', async () => {
    const planted = Object.keys(STRAY_FILES).map((file) => readFile(path.join(projectCopy, file), 'utf8'));
    expect(await Promise.all(planted)).toEqual(Object.values(STRAY_FILES));
    const isStray = (file: string): boolean => STRAY_TOP_LEVEL.includes(file.split('/')[0] ?? file);
    expect((await listFiles(result.stageDir)).filter(isStray)).toEqual([]);
    expect(names.filter(isStray)).toEqual([]);
  });

  it('holds only files .funcignore admits, so what reads it at the project root deploys them too', async () => {
    const { rules } = await readFuncignore();
    expect(names.filter((name) => rules.ignores(name))).toEqual([]);
  });

  it('starts: the entry point loads from the stage and registers its functions, with nothing from outside it', () => {
    // The stage is in a temporary folder, so Node finds no node_modules above it to fall back on: any module the
    // package lacks fails to load. load-entry.cjs loads it as the Functions worker does.
    const settings = {
      ...Object.fromEntries(AZURE_REQUIRED_SETTINGS.map((name) => [name, 'https://example.invalid/'])),
      EMAIL_SENDER: 'DoNotReply@example.invalid',
      WEBSITE_HOSTNAME: 'app.example.invalid',
    };
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

describe('the deployment allow-list and .funcignore', () => {
  it('.funcignore excludes no allow-listed path, file or folder', async () => {
    const { text, rules } = await readFuncignore();
    const excluded = DEPLOYMENT_ALLOW_LIST.filter(
      (entry) => rules.ignores(entry.path) || (entry.kind !== 'file' && rules.ignores(`${entry.path}/`)),
    );
    expect(excluded).toEqual([]);
    expect(allowListConflicts(text)).toEqual([]);
  });

  it('allowListConflicts names the allow-listed paths a .funcignore excludes', () => {
    expect(allowListConflicts('/host.json\ndist/\n# package.json\n')).toEqual(['host.json', BUNDLE_DIR]);
    expect(allowListConflicts('node_modules\n')).toEqual(['node_modules']);
    expect(allowListConflicts('*.json\n/src\n')).toEqual(['host.json', 'package.json']);
  });

  it('packaging stops, before building, when .funcignore excludes an allow-listed path', async () => {
    // No package.json at all: reaching `npm run build` would fail with another message.
    const project = await mkdtemp(path.join(tmpdir(), 'package-conflict-'));
    try {
      await writeFile(path.join(project, '.funcignore'), '/host.json\n');
      await expect(buildPackage({ projectRoot: project, outDir: path.join(project, 'out') })).rejects.toThrow(
        /\.funcignore excludes host\.json, which the deployment allow-list/,
      );
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });

  it('.funcignore has plain patterns only and keeps secret-looking files out wherever they are', async () => {
    const { text, rules } = await readFuncignore();
    expect(text.split(/\r?\n/).filter((line) => line.trim().startsWith('!'))).toEqual([]);
    const secrets = ['.env', '.env.local', 'src/.env', 'deploy.pem', 'keys/app.key', 'cert.pfx', 'cert.p12'];
    expect(secrets.filter((file) => !rules.ignores(file))).toEqual([]);
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
