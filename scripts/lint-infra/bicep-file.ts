import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

import type { Node } from 'web-tree-sitter';

import type { BicepParser } from './bicep-parser';

/** A parsed .bicep file. */
export interface BicepFile {
  absolutePath: string;
  /** Path shown in findings. */
  displayPath: string;
  root: Node;
}

export async function loadBicepFiles(infraDir: string, parser: BicepParser, displayBase: string): Promise<BicepFile[]> {
  const paths = await listBicepPaths(infraDir);
  return Promise.all(
    paths.map(async (absolutePath) => {
      const source = await readFile(absolutePath, 'utf8');
      return {
        absolutePath,
        displayPath: displayPathOf(absolutePath, displayBase),
        root: parser.parse(source).rootNode,
      };
    }),
  );
}

export function displayPathOf(absolutePath: string, displayBase: string): string {
  const relative = path.relative(displayBase, absolutePath);
  return relative.startsWith('..') || path.isAbsolute(relative) ? absolutePath : relative;
}

async function listBicepPaths(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return listBicepPaths(full);
      return Promise.resolve(entry.name.endsWith('.bicep') ? [full] : []);
    }),
  );
  return nested.flat().sort();
}

/** 1-based line of a node, as editors and findings count lines. */
export function lineOf(node: Node): number {
  return node.startPosition.row + 1;
}

/** Absolute path of a local module reference, relative to the file that declares it. */
export function resolveModulePath(file: BicepFile, modulePath: string): string {
  return path.resolve(path.dirname(file.absolutePath), modulePath);
}
