import { type BicepFile, lineOf } from '../bicep-file';
import { callOf, descendants } from '../bicep-syntax';
import type { Finding } from '../finding';

/**
 * ARM's list* functions (listKeys, listConnectionStrings, listAccountSas,
 * listSecrets, list…) are resource actions that return keys, SAS tokens or
 * connection strings; keyless infra calls none of them.
 */
export const SECRET_RETURNING_FUNCTION = /^list\w*$/i;

/** No `listKeys()` (or any other list* function) anywhere in the Bicep. */
export function checkSecretSources(file: BicepFile): Finding[] {
  return descendants(file.root).flatMap((node) => {
    const call = callOf(node);
    if (!call || !SECRET_RETURNING_FUNCTION.test(call.name)) return [];
    return [
      {
        file: file.displayPath,
        line: lineOf(node),
        check: 'no-secrets',
        message: `${call.name}() returns secrets; use managed identity instead`,
      },
    ];
  });
}
