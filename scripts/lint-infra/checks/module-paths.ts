import { access } from 'node:fs/promises';

import { type BicepFile, lineOf, resolveModulePath } from '../bicep-file';
import { declarationTypeString, plainString, topLevelDeclarations } from '../bicep-syntax';
import type { Finding } from '../finding';

/**
 * Local module paths (`module x './app/api.bicep'`) must point at files that exist. Registry modules (br:, ts:) are
 * not checked.
 */
export async function checkModulePaths(files: BicepFile[]): Promise<Finding[]> {
  const checks = files.flatMap((file) =>
    topLevelDeclarations(file.root)
      .filter((declaration) => declaration.kind === 'module')
      .map(async (declaration): Promise<Finding[]> => {
        const pathNode = declarationTypeString(declaration.node);
        const modulePath = plainString(pathNode);
        const line = lineOf(pathNode ?? declaration.node);
        if (modulePath === undefined) {
          return [
            {
              file: file.displayPath,
              line,
              check: 'module-path',
              message: `module ${declaration.name} has no literal path`,
            },
          ];
        }
        if (/^(br|ts)[:/]/.test(modulePath)) return [];
        const target = resolveModulePath(file, modulePath);
        return (await exists(target))
          ? []
          : [
              {
                file: file.displayPath,
                line,
                check: 'module-path',
                message: `module ${declaration.name} points at ${modulePath}, which does not exist`,
              },
            ];
      }),
  );
  return (await Promise.all(checks)).flat();
}

async function exists(filePath: string): Promise<boolean> {
  try {
    await access(filePath);
    return true;
  } catch {
    return false;
  }
}
