import { BUNDLE_DIR } from './build';

/**
 * The deployment allow-list: the only project paths `npm run package` (scripts/package.ts) copies into the stage that
 * azd zips. Anything else, such as a `.env`, notes or a key file left at the project root, stays on this machine
 * whether or not .funcignore names it. .funcignore still applies inside these paths (it drops the source maps) and
 * must exclude none of them; the stage also gets a copy of .funcignore, which azd applies and leaves out of the zip.
 */
export type AllowedPath =
  /** Copied as is; it must exist. */
  | { kind: 'file'; path: string }
  /** Every file below it that .funcignore admits; it must exist and keep at least one file. */
  | { kind: 'folder'; path: string }
  /** Only the packages `npm ci --omit=dev --omit=optional` would install, as package-lock.json names them. */
  | { kind: 'production dependencies'; path: 'node_modules' };

export const DEPLOYMENT_ALLOW_LIST: readonly AllowedPath[] = [
  // The Functions host's configuration: extension bundle, HTTP route prefix, logging, function timeout.
  { kind: 'file', path: 'host.json' },
  // The Node.js worker reads "main" from it to find the entry point.
  { kind: 'file', path: 'package.json' },
  // The code: the esbuild bundle scripts/build.ts writes, the entry point "main" names and the chunks it imports.
  { kind: 'folder', path: BUNDLE_DIR },
  // What the bundle does not inline. None today (every dependency is a devDependency, inlined), so nothing is copied;
  // listed so that a production dependency added later is deployed.
  { kind: 'production dependencies', path: 'node_modules' },
];
