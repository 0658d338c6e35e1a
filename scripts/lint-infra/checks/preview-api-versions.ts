import { type BicepFile, lineOf } from '../bicep-file';
import { declarationTypeString, descendants, plainString } from '../bicep-syntax';
import type { Finding } from '../finding';

/** Resource types pinned to a preview API version (`Type@2024-01-01-preview`). */
export function checkPreviewApiVersions(file: BicepFile): Finding[] {
  return descendants(file.root)
    .filter((node) => node.type === 'resource_declaration')
    .flatMap((resource) => {
      const typeNode = declarationTypeString(resource);
      const resourceType = plainString(typeNode) ?? '';
      const version = resourceType.split('@')[1] ?? '';
      return /-preview$/i.test(version)
        ? [
            {
              file: file.displayPath,
              line: lineOf(typeNode ?? resource),
              check: 'api-version',
              message: `${resourceType} uses a preview API version`,
            },
          ]
        : [];
    });
}
