import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { BUNDLE_ENTRY, bundleEntryPoint } from '../scripts/build';
import { percentile } from './dev-stack';
import { type EntryLoad, loadEntry, projectRoot } from './entry-load';

/**
 * Cold start: how long a fresh Node process takes to load the deployed entry point and register every function (what
 * the Functions host waits for before the first invocation), and its memory after. The bundle `npm run build` makes
 * against the same source compiled file by file with tsc and loaded from node_modules (the layout deployed before the
 * bundle). Each load runs test/helpers/load-entry.cjs, which loads the entry as the Functions worker does.
 * (telemetry.bench.ts compares the cold start with telemetry on and off.)
 */

const RUNS = 10;
const workDir = path.join(projectRoot, '.local', 'bench-cold-start');

/** tsc's file-by-file output of src/, inside the project so that it resolves node_modules. */
function compileUnbundled(outDir: string): string {
  const config = path.join(workDir, 'tsconfig.json');
  writeFileSync(
    config,
    JSON.stringify({
      extends: path.join(projectRoot, 'tsconfig.json'),
      compilerOptions: { types: ['node'], noEmit: false, sourceMap: false, rootDir: projectRoot, outDir },
      include: [path.join(projectRoot, 'src')],
    }),
  );
  const run = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', config], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`tsc failed: ${run.stdout}${run.stderr}`);
  return path.join(outDir, 'src', 'index.js');
}

const median = (values: number[]): number =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
const megabytes = (bytes: number): string => (bytes / 1_000_000).toFixed(0);

async function main(): Promise<void> {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  try {
    const bundleDir = path.join(workDir, 'bundle');
    await bundleEntryPoint(bundleDir);
    const entries = {
      bundled: path.join(bundleDir, path.basename(BUNDLE_ENTRY)),
      unbundled: compileUnbundled(path.join(workDir, 'unbundled')),
    };
    const loads: Record<keyof typeof entries, EntryLoad[]> = { bundled: [], unbundled: [] };
    const withServices: EntryLoad[] = [];
    // Alternated, so that both see the same background load.
    for (let run = 0; run < RUNS; run += 1) {
      for (const kind of ['bundled', 'unbundled'] as const) loads[kind].push(loadEntry(entries[kind]));
      withServices.push(loadEntry(entries.bundled, ['--services']));
    }
    const functions = loads.bundled[0]?.functions.length ?? 0;
    console.log(
      `load and register ${functions} functions in a fresh Node ${process.version} process, median of ${RUNS}`,
    );
    const bundledMs = median(loads.bundled.map((load) => load.importMs));
    const unbundledMs = median(loads.unbundled.map((load) => load.importMs));
    console.log(`RESULT cold import bundled: ${bundledMs.toFixed(0)} ms (target ≤ 120 ms)`);
    console.log(
      `RESULT cold import unbundled: ${unbundledMs.toFixed(0)} ms (tsc output + node_modules; bundled is ` +
        `${(unbundledMs / bundledMs).toFixed(1)}x faster)`,
    );
    for (const kind of ['bundled', 'unbundled'] as const) {
      const rss = median(loads[kind].map((load) => load.rssBytes));
      console.log(`RESULT RSS after import ${kind}: ${megabytes(rss)} MB (lower is better)`);
    }
    // The SDK clients load on the first invocation that needs them: a cold instance's first such request pays both.
    const servicesMs = median(withServices.map((load) => load.servicesMs ?? Number.NaN));
    const startToServicesMs = median(withServices.map((load) => load.importMs + (load.servicesMs ?? Number.NaN)));
    console.log(
      `RESULT first invocation's SDK load bundled: ${servicesMs.toFixed(0)} ms (import and SDK load together: ` +
        `${startToServicesMs.toFixed(0)} ms)`,
    );
    console.log(
      `RESULT RSS after the SDK load bundled: ${megabytes(median(withServices.map((load) => load.rssBytes)))} MB`,
    );
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
