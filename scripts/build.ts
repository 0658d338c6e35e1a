import { rm } from 'node:fs/promises';
import path from 'node:path';

import { build, type BuildOptions, type Metafile } from 'esbuild';

/**
 * `npm run build`: the deployed code as an esbuild bundle in dist/: the entry point dist/index.mjs (package.json
 * `main`) and the chunks it imports, with source maps beside them. Every dependency is inlined, @azure/functions
 * included, so the package needs no node_modules. ES modules, so that the bundle can be split: what the host needs to
 * index the functions (route table, settings, schemas) loads at start; the Azure SDK clients, which src/index.ts
 * imports on the first invocation, are a chunk of their own that loads then (the cold start). Type checking is
 * `npm run typecheck`; this only transpiles.
 */

const projectRoot = path.resolve(__dirname, '..');

/** Where the bundle goes; emptied first, so that no chunk of an earlier build is deployed. */
export const BUNDLE_DIR = 'dist';
/** What package.json `main` names, relative to the project root. */
export const BUNDLE_ENTRY = `${BUNDLE_DIR}/index.mjs`;

/**
 * `@azure/functions-core` is not an npm package: the Functions Node.js worker answers `require` of that name with its
 * own API (Azure/azure-functions-nodejs-library#201 asks bundlers to leave it external).
 */
export const HOST_PROVIDED_MODULES = ['@azure/functions-core'];

/**
 * CommonJS code inlined into ES modules still calls `require` and reads `__dirname`: give it both, per file. The file
 * names go by names of their own (see `define`): some ES modules declare a `__filename` themselves
 * (@azure/storage-common's crc64.js), which a banner `const __filename` would clash with.
 */
const COMMONJS_GLOBALS = [
  "import { createRequire as __createRequire } from 'node:module';",
  "import { dirname as __pathDirname } from 'node:path';",
  "import { fileURLToPath as __fileURLToPath } from 'node:url';",
  'const require = __createRequire(import.meta.url);',
  'const __bundleFilename = __fileURLToPath(import.meta.url);',
  'const __bundleDirname = __pathDirname(__bundleFilename);',
].join('\n');

export function bundleOptions(outdir: string): BuildOptions {
  return {
    absWorkingDir: projectRoot,
    entryPoints: { index: path.join(projectRoot, 'src', 'index.ts') },
    outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    // engines.node in package.json; Flex Consumption runs Node 20 or 22.
    target: 'node20',
    external: HOST_PROVIDED_MODULES,
    banner: { js: COMMONJS_GLOBALS },
    // Only free references are replaced: a module's own `__filename` stays its own.
    define: { __filename: '__bundleFilename', __dirname: '__bundleDirname' },
    sourcemap: 'linked',
    // Dependencies' ES module builds first: they tree-shake better than their CommonJS builds.
    mainFields: ['module', 'main'],
    // A third less code to compile at start. Identifiers are kept (keepNames too), so stack traces in the logs still
    // name every function; the source maps beside the bundle map positions back to src/ and the dependencies.
    minifySyntax: true,
    minifyWhitespace: true,
    keepNames: true,
    legalComments: 'eof',
    metafile: true,
    logLevel: 'warning',
  };
}

/** Writes the bundle into `outdir` (default: dist/), emptied first; resolves with esbuild's metafile. */
export async function bundleEntryPoint(outdir = path.join(projectRoot, BUNDLE_DIR)): Promise<Metafile> {
  await rm(outdir, { recursive: true, force: true });
  const result = await build(bundleOptions(outdir));
  return result.metafile ?? { inputs: {}, outputs: {} };
}

async function main(): Promise<void> {
  const metafile = await bundleEntryPoint();
  const code = Object.entries(metafile.outputs).filter(([file]) => file.endsWith('.mjs'));
  const bytes = (files: typeof code): string =>
    `${(files.reduce((sum, [, output]) => sum + output.bytes, 0) / 1_000_000).toFixed(2)} MB`;
  const entry = code.filter(([file]) => file === BUNDLE_ENTRY);
  const atStart = new Set([BUNDLE_ENTRY, ...entry.flatMap(([, output]) => staticImports(output))]);
  console.log(
    `build: ${BUNDLE_ENTRY} and ${code.length - 1} chunks, ${bytes(code)}; ` +
      `${bytes(code.filter(([file]) => atStart.has(file)))} load at start`,
  );
}

function staticImports(output: Metafile['outputs'][string]): string[] {
  return output.imports.filter((entry) => entry.kind === 'import-statement' && !entry.external).map((e) => e.path);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`build: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
