import { spawnSync } from 'node:child_process';
import { constants, type Stats } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { type Zippable, zipSync } from 'fflate';
import ignore, { type Ignore } from 'ignore';

import { type AllowedPath, DEPLOYMENT_ALLOW_LIST } from './package-allow-list';

/**
 * `npm run package [-- --stage-only]`: the zip that `azd deploy` uploads to the function app, built offline.
 *
 * It takes the steps azd takes for this service (azure.yaml), in the same order:
 * 1. `npm run build`, whatever that produces.
 * 2. The stage, .local/package/app: only what the deployment allow-list (scripts/package-allow-list.ts) names, less
 *    what .funcignore excludes there: host.json, package.json, the bundle, and of node_modules the production
 *    dependencies package-lock.json names (copied from the installed tree, so no network is needed); then .funcignore
 *    itself. Nothing else at the project root reaches it, whatever .funcignore says. azd's prepackage hook runs this
 *    script with --stage-only, and azure.yaml's `dist` points azd at this folder.
 * 3. The zip, .local/package/api.zip, made the way azd's createDeployableZip makes it from the stage: the stage's
 *    .funcignore applied with gitignore semantics (case-sensitive, like azd's go-gitignore), and `.azure` folders,
 *    the ignore file itself and `local.settings.json` files left out.
 */

const IGNORE_FILE = '.funcignore';
const STAGE_FOLDER = 'app';
const ZIP_FILE = 'api.zip';
/** zlib's default; azd's (Go's) compressor differs in bytes, not in what the zip holds. */
const DEFLATE_LEVEL = 6;

export interface PackageOptions {
  projectRoot: string;
  /** Receives the stage (app/) and the zip (api.zip); emptied first. */
  outDir: string;
  /** Also write the zip; azd's prepackage hook needs only the stage. Default true. */
  zip?: boolean;
}

export interface PackageResult {
  stageDir: string;
  zipPath: string | undefined;
  files: number;
  bytes: number;
  zipBytes: number | undefined;
}

export async function buildPackage(options: PackageOptions): Promise<PackageResult> {
  const projectRoot = path.resolve(options.projectRoot);
  const outDir = path.resolve(options.outDir);
  const rules = await readProjectIgnoreRules(projectRoot);
  runBuild(projectRoot);
  const stageDir = path.join(outDir, STAGE_FOLDER);
  await rm(outDir, { recursive: true, force: true });
  await stageProject(projectRoot, rules, stageDir, outDir);
  const deployable = await listDeployable(stageDir, await readIgnoreRules(stageDir));
  const bytes = await totalSize(stageDir, deployable);
  if (options.zip === false) {
    return { stageDir, zipPath: undefined, files: deployable.length, bytes, zipBytes: undefined };
  }
  const zipPath = path.join(outDir, ZIP_FILE);
  const zipBytes = await writeZip(stageDir, deployable, zipPath);
  return { stageDir, zipPath, files: deployable.length, bytes, zipBytes };
}

/** The project's .funcignore rules, checked before the (slower) build: they must exclude nothing allow-listed. */
async function readProjectIgnoreRules(projectRoot: string): Promise<Ignore> {
  const text = await readIgnoreText(projectRoot);
  if (text === undefined) throw new Error(`${IGNORE_FILE} not found in ${projectRoot}`);
  const conflicts = allowListConflicts(text);
  if (conflicts.length > 0) {
    throw new Error(
      `${IGNORE_FILE} excludes ${conflicts.join(', ')}, which the deployment allow-list ` +
        '(scripts/package-allow-list.ts) deploys: azd would zip the stage without it',
    );
  }
  return parseIgnoreRules(text);
}

/** Allow-listed paths that `ignoreText` (a .funcignore) excludes, and so would leave out of what azd uploads. */
export function allowListConflicts(ignoreText: string, allowList = DEPLOYMENT_ALLOW_LIST): string[] {
  const rules = parseIgnoreRules(ignoreText);
  return allowList
    .filter((entry) => rules.ignores(entry.kind === 'file' ? entry.path : `${entry.path}/`))
    .map((entry) => entry.path);
}

function runBuild(projectRoot: string): void {
  // npm is a .cmd script on Windows, which only a shell can start.
  const result = spawnSync('npm', ['run', 'build'], {
    cwd: projectRoot,
    encoding: 'utf8',
    shell: process.platform === 'win32',
  });
  if (result.status !== 0) {
    throw new Error(`npm run build failed:\n${result.stdout}${result.stderr}${result.error?.message ?? ''}`);
  }
}

async function stageProject(projectRoot: string, rules: Ignore, stageDir: string, outDir: string): Promise<void> {
  const isOutDir = (relative: string): boolean => path.join(projectRoot, relative) === outDir;
  const allowed = await Promise.all(
    DEPLOYMENT_ALLOW_LIST.map((entry) => listAllowed(projectRoot, entry, rules, isOutDir)),
  );
  await copyFiles(projectRoot, stageDir, [...allowed.flat(), IGNORE_FILE]);
  await assertEntryPoint(stageDir);
}

/** The files one allow-list entry contributes to the stage, as `/`-separated paths relative to the project root. */
async function listAllowed(
  projectRoot: string,
  entry: AllowedPath,
  rules: Ignore,
  skip: (relative: string) => boolean,
): Promise<string[]> {
  switch (entry.kind) {
    case 'file':
      if (!(await statIfPresent(path.join(projectRoot, entry.path)))?.isFile()) {
        throw new Error(`${entry.path} (deployment allow-list) is not a file in ${projectRoot}`);
      }
      return [entry.path];
    case 'folder':
      return await listAllowedFolder(projectRoot, entry.path, rules, skip);
    case 'production dependencies':
      return await listProductionDependencies(projectRoot, rules);
  }
}

async function listAllowedFolder(
  projectRoot: string,
  folder: string,
  rules: Ignore,
  skip: (relative: string) => boolean,
): Promise<string[]> {
  if (!(await statIfPresent(path.join(projectRoot, folder)))?.isDirectory()) {
    throw new Error(`${folder}/ (deployment allow-list) is not a folder in ${projectRoot}: did npm run build make it?`);
  }
  const files = await listDeployable(projectRoot, rules, skip, folder);
  if (files.length === 0) throw new Error(`${IGNORE_FILE} leaves no file of ${folder}/ (deployment allow-list)`);
  return files;
}

async function listProductionDependencies(projectRoot: string, rules: Ignore): Promise<string[]> {
  const dependencyFiles = await Promise.all(
    (await installedProductionPackages(projectRoot)).map((packageDir) =>
      // A nested node_modules holds packages of its own, each staged only if it is a production one.
      listDeployable(projectRoot, rules, (relative) => relative === `${packageDir}/node_modules`, packageDir),
    ),
  );
  return dependencyFiles.flat();
}

async function statIfPresent(file: string): Promise<Stats | undefined> {
  return await stat(file).catch(() => undefined);
}

async function readIgnoreText(dir: string): Promise<string | undefined> {
  return await readFile(path.join(dir, IGNORE_FILE), 'utf8').catch(() => undefined);
}

function parseIgnoreRules(text: string): Ignore {
  // azd strips a UTF-8 byte order mark before parsing; go-gitignore matches case-sensitively.
  return ignore({ ignorecase: false }).add(text.replace(/^\uFEFF/, ''));
}

async function readIgnoreRules(dir: string): Promise<Ignore | undefined> {
  const text = await readIgnoreText(dir);
  return text === undefined ? undefined : parseIgnoreRules(text);
}

/**
 * Files below `root` (or below `root/start`) that azd's createDeployableZip keeps, as `/`-separated paths relative
 * to `root`: `.azure` folders, the ignore file and `local.settings.json` are left out, then the ignore rules apply
 * (an excluded folder is not entered); without rules everything else stays. `skip` leaves out more.
 */
async function listDeployable(
  root: string,
  rules: Ignore | undefined,
  skip: (relative: string) => boolean = () => false,
  start = '',
): Promise<string[]> {
  const found: string[] = [];
  const visit = async (relativeDir: string): Promise<void> => {
    const entries = await readdir(path.join(root, relativeDir), { withFileTypes: true });
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const relative = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
      // Like azd, follow symbolic links.
      const isDirectory = entry.isSymbolicLink()
        ? (await stat(path.join(root, relative))).isDirectory()
        : entry.isDirectory();
      if (!keptByAzd(entry.name, isDirectory) || skip(relative)) continue;
      if (rules?.ignores(isDirectory ? `${relative}/` : relative)) continue;
      if (isDirectory) await visit(relative);
      else found.push(relative);
    }
  };
  if (start === '' || !rules?.ignores(`${start}/`)) await visit(start);
  return found;
}

function keptByAzd(name: string, isDirectory: boolean): boolean {
  if (isDirectory) return name !== '.azure';
  return name !== IGNORE_FILE && name !== 'local.settings.json';
}

interface LockedPackage {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  link?: boolean;
}

/**
 * Folders (`node_modules/…`) of the packages that `npm ci --omit=dev --omit=optional` would install: the lockfile
 * marks every package reachable only through devDependencies or optionalDependencies.
 */
export function productionPackageDirs(lockfile: unknown): string[] {
  const { lockfileVersion, packages } = (lockfile ?? {}) as {
    lockfileVersion?: number;
    packages?: Record<string, LockedPackage>;
  };
  if (!packages || (lockfileVersion ?? 0) < 2) {
    throw new Error('package-lock.json must be lockfileVersion 2 or later (npm 7+)');
  }
  return Object.entries(packages)
    .filter(([dir, entry]) => dir.startsWith('node_modules/') && !entry.dev && !entry.optional && !entry.devOptional)
    .map(([dir, entry]) => {
      if (entry.link) throw new Error(`${dir} is a link (workspace); packaging it is not supported`);
      return dir;
    })
    .sort();
}

async function installedProductionPackages(projectRoot: string): Promise<string[]> {
  const lockfile: unknown = JSON.parse(await readFile(path.join(projectRoot, 'package-lock.json'), 'utf8'));
  const locked = (lockfile as { packages: Record<string, LockedPackage> }).packages;
  const dirs = productionPackageDirs(lockfile);
  await Promise.all(
    dirs.map(async (dir) => {
      const manifest = await readFile(path.join(projectRoot, dir, 'package.json'), 'utf8').catch(() => undefined);
      const installed = manifest === undefined ? 'nothing' : (JSON.parse(manifest) as { version?: string }).version;
      if (installed !== locked[dir]?.version) {
        throw new Error(
          `${dir} is ${installed}, package-lock.json says ${locked[dir]?.version ?? '?'}: run npm ci first`,
        );
      }
    }),
  );
  return dirs;
}

async function copyFiles(fromRoot: string, toRoot: string, files: string[]): Promise<void> {
  const dirs = new Set(files.map((file) => path.dirname(path.join(toRoot, file))));
  await Promise.all([...dirs].map((dir) => mkdir(dir, { recursive: true })));
  // A copy-on-write clone where the file system offers one, else a plain copy.
  await inBatches(files, (file) =>
    copyFile(path.join(fromRoot, file), path.join(toRoot, file), constants.COPYFILE_FICLONE),
  );
}

/** Runs `task` for every item, a bounded number at a time (thousands of files would exhaust file handles). */
async function inBatches<T, R>(items: T[], task: (item: T) => Promise<R>, size = 64): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += size) {
    results.push(...(await Promise.all(items.slice(start, start + size).map(task))));
  }
  return results;
}

async function assertEntryPoint(stageDir: string): Promise<void> {
  const { main } = JSON.parse(await readFile(path.join(stageDir, 'package.json'), 'utf8')) as { main?: string };
  if (!main) throw new Error('package.json names no "main": the Functions host would find no entry point');
  const entry = await statIfPresent(path.join(stageDir, main));
  if (!entry?.isFile()) {
    throw new Error(
      `package.json "main" is ${main}, which the package lacks (did npm run build produce it? ` +
        'is it under a path of the deployment allow-list?)',
    );
  }
}

async function totalSize(root: string, files: string[]): Promise<number> {
  const sizes = await inBatches(files, async (file) => (await stat(path.join(root, file))).size);
  return sizes.reduce((sum, size) => sum + size, 0);
}

async function writeZip(root: string, files: string[], zipPath: string): Promise<number> {
  const entries: Zippable = {};
  await inBatches(files, async (file) => {
    const full = path.join(root, file);
    const [data, info] = await Promise.all([readFile(full), stat(full)]);
    // Unix permissions, as azd's zip records them.
    entries[file] = [data, { mtime: info.mtime, os: 3, attrs: (info.mode & 0o777) << 16 }];
  });
  const zipped = zipSync(entries, { level: DEFLATE_LEVEL });
  await writeFile(zipPath, zipped);
  return zipped.length;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

async function main(): Promise<void> {
  const projectRoot = path.resolve(__dirname, '..');
  const result = await buildPackage({
    projectRoot,
    outDir: path.join(projectRoot, '.local', 'package'),
    zip: !process.argv.includes('--stage-only'),
  });
  const show = (file: string): string => path.relative(process.cwd(), file) || '.';
  console.log(`package: ${result.files} files, ${megabytes(result.bytes)} staged in ${show(result.stageDir)}`);
  if (result.zipPath && result.zipBytes !== undefined) {
    console.log(`package: ${show(result.zipPath)} is ${megabytes(result.zipBytes)}`);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`package: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
