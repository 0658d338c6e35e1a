import type { Node } from 'web-tree-sitter';

import { type BicepFile, lineOf } from '../bicep-file';
import { callOf, decoratorNames, descendants, topLevelDeclarations } from '../bicep-syntax';
import type { Finding } from '../finding';
import { SECRET_RETURNING_FUNCTION } from './secret-sources';

/** Words that make a name look like a credential: key(s), secret, password, connection string, SAS. */
const SECRET_WORDS = new Set([
  'key',
  'keys',
  'secret',
  'secrets',
  'password',
  'passwd',
  'pwd',
  'connectionstring',
  'sas',
]);

/**
 * Outputs land in azd's .env and the deployment history in plain text, so none
 * may carry a secret: not by name, not by @secure(), not from a list* call,
 * a @secure() parameter or a property named like a credential.
 */
export function checkSecretOutputs(file: BicepFile): Finding[] {
  const declarations = topLevelDeclarations(file.root);
  const secureParams = new Set(
    declarations.filter((d) => d.kind === 'param' && decoratorNames(d.node).includes('secure')).map((d) => d.name),
  );
  return declarations
    .filter((declaration) => declaration.kind === 'output')
    .flatMap((output) => {
      const problem = outputProblem(output.name, output.node, output.value, secureParams);
      return problem
        ? [
            {
              file: file.displayPath,
              line: lineOf(output.node),
              check: 'secret-output',
              message: `output ${output.name} ${problem}`,
            },
          ]
        : [];
    });
}

function outputProblem(name: string, node: Node, value: Node | null, secureParams: Set<string>): string | undefined {
  if (looksLikeSecretName(name)) return 'is named like a secret';
  if (decoratorNames(node).includes('secure')) return 'is marked @secure()';
  if (!value) return undefined;
  for (const part of descendants(value)) {
    const call = callOf(part);
    if (call && SECRET_RETURNING_FUNCTION.test(call.name)) return `comes from ${call.name}()`;
    if (part.type === 'identifier' && secureParams.has(part.text))
      return `exposes the @secure() parameter ${part.text}`;
    if (part.type === 'property_identifier' && looksLikeSecretName(part.text)) return `reads the property ${part.text}`;
  }
  return undefined;
}

/** Splits camelCase, PascalCase, snake_case and kebab-case into words and looks for credential words. */
export function looksLikeSecretName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .map((word) => word.toLowerCase())
    .filter((word) => word !== '');
  if (words.some((word) => SECRET_WORDS.has(word))) return true;
  return words.some((word, index) => word === 'connection' && words[index + 1] === 'string');
}
