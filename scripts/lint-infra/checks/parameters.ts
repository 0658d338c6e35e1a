import { type BicepFile, lineOf } from '../bicep-file';
import { parameterIsOptional, topLevelDeclarations } from '../bicep-syntax';
import type { Finding } from '../finding';
import { lineOfKey, type ParametersFile, parseParameters } from '../parameters-file';

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
  const parsed = parseParameters(parametersFile);
  if ('problem' in parsed) return [finding(1, parsed.problem)];
  const setNames = Object.keys(parsed.parameters);
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
