import { readFile } from 'node:fs/promises';

import { Language, Parser, type Tree } from 'web-tree-sitter';

/**
 * Bicep parsing with tree-sitter-bicep's prebuilt WebAssembly grammar, run by
 * web-tree-sitter. No native build and no install script is needed: the
 * package's own node-gyp binding is never loaded.
 */
export interface BicepParser {
  parse(source: string): Tree;
}

let parserPromise: Promise<BicepParser> | undefined;

export function loadBicepParser(): Promise<BicepParser> {
  parserPromise ??= createParser();
  return parserPromise;
}

async function createParser(): Promise<BicepParser> {
  await Parser.init();
  // Pass the bytes, not a path: given a path, web-tree-sitter reads it through a
  // dynamic import('fs/promises'), which jest's module sandbox does not allow.
  const grammar = await readFile(require.resolve('tree-sitter-bicep/tree-sitter-bicep.wasm'));
  const language = await Language.load(new Uint8Array(grammar));
  const parser = new Parser();
  parser.setLanguage(language);
  return {
    parse(source: string): Tree {
      const tree = parser.parse(source);
      if (tree === null) throw new Error('tree-sitter-bicep returned no tree');
      return tree;
    },
  };
}
