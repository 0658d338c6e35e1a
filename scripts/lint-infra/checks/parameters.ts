import { type BicepFile, lineOf } from '../bicep-file';
import { parameterIsOptional, topLevelDeclarations } from '../bicep-syntax';
import type { Finding } from '../finding';

export interface ParametersFile {
  displayPath: string;
  text: string;
}

/**
 * main.parameters.json and main.bicep agree: every parameter the file sets is
 * declared, and every required parameter (no default, not nullable) is set.
 */
export function checkParameters(mainBicep: BicepFile, parametersFile: ParametersFile): Finding[] {
  const finding = (line: number, message: string, file = parametersFile.displayPath): Finding => ({
    file,
    line,
    check: 'parameters',
    message,
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(parametersFile.text);
  } catch (error) {
    return [finding(1, `is not valid JSON: ${(error as Error).message}`)];
  }
  const parameters = (parsed as { parameters?: unknown }).parameters;
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
    return [finding(1, 'has no "parameters" object')];
  }
  const setNames = Object.keys(parameters);
  const declared = topLevelDeclarations(mainBicep.root).filter((declaration) => declaration.kind === 'param');
  const declaredNames = new Set(declared.map((declaration) => declaration.name));

  const undeclared = setNames
    .filter((name) => !declaredNames.has(name))
    .map((name) =>
      finding(lineOfKey(parametersFile.text, name), `sets "${name}", which ${mainBicep.displayPath} does not declare`),
    );
  const unset = declared
    .filter((declaration) => !parameterIsOptional(declaration) && !setNames.includes(declaration.name))
    .map((declaration) =>
      finding(
        lineOf(declaration.node),
        `required parameter ${declaration.name} is not set in ${parametersFile.displayPath}`,
        mainBicep.displayPath,
      ),
    );
  return [...undeclared, ...unset];
}

function lineOfKey(text: string, key: string): number {
  const lines = text.split('\n');
  const pattern = new RegExp(`^\\s*"${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s*:`);
  const index = lines.findIndex((line) => pattern.test(line));
  return index < 0 ? 1 : index + 1;
}
