import type { Node } from 'web-tree-sitter';

import type { BicepFile } from '../bicep-file';
import { type Declaration, decoratorArguments, plainString, topLevelDeclarations } from '../bicep-syntax';
import type { Finding } from '../finding';
import { lineOfKey, type ParametersFile, parseParameters } from '../parameters-file';

/** A whole value `${VAR}` or `${VAR=default}` (also `:=`, `-`, `:-`, which azd's envsubst treats alike). */
const WHOLE_VARIABLE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[=-])(.*))?\}$/s;

/**
 * For a string parameter, azd hands an unset `${VAR}` to ARM as an empty string whenever the Bicep parameter has a
 * default other than '' (azd's armParameterFileValue): the Bicep default never applies, and a parameter that must not
 * be empty (@minLength) fails at deployment. Without a Bicep default azd asks for the value instead, which is right.
 * So a `${VAR}` that feeds such a parameter needs its default in main.parameters.json itself, and that default must be
 * neither empty for a @minLength parameter nor different from the Bicep default that documents it.
 */
export function checkParameterDefaults(mainBicep: BicepFile, parametersFile: ParametersFile): Finding[] {
  const parsed = parseParameters(parametersFile);
  if ('problem' in parsed) return [];
  const params = new Map(
    topLevelDeclarations(mainBicep.root)
      .filter((declaration) => declaration.kind === 'param')
      .map((declaration) => [declaration.name, declaration]),
  );
  return Object.entries(parsed.parameters).flatMap(([name, entry]): Finding[] => {
    const value = (entry as { value?: unknown } | null)?.value;
    const variable = typeof value === 'string' ? WHOLE_VARIABLE.exec(value) : null;
    const declaration = params.get(name);
    if (!variable || !declaration) return [];
    const [, variableName = '', operator, fileDefault] = variable;
    const problem =
      operator === undefined
        ? missingDefault(declaration, variableName)
        : wrongDefault(declaration, variableName, fileDefault ?? '');
    return problem
      ? [
          {
            file: parametersFile.displayPath,
            line: lineOfKey(parametersFile.text, name),
            check: 'parameter-default',
            message: `"${name}": ${problem}`,
          },
        ]
      : [];
  });
}

function missingDefault(declaration: Declaration, variable: string): string | undefined {
  if (!isString(declaration) || !declaration.value) return undefined;
  const bicepDefault = literalText(declaration.value);
  if (bicepDefault === '' && minLength(declaration) === 0) return undefined;
  const suggestion = bicepDefault === undefined ? '<default>' : bicepDefault;
  return (
    `\${${variable}} has no default: azd passes '' when ${variable} is unset, so the Bicep default ` +
    `${declaration.value.text} never applies; write \${${variable}=${suggestion}}`
  );
}

function wrongDefault(declaration: Declaration, variable: string, fileDefault: string): string | undefined {
  if (isString(declaration) && fileDefault === '' && minLength(declaration) > 0) {
    return `\${${variable}} defaults to '', which ${declaration.name} (@minLength) does not accept`;
  }
  const bicepDefault = declaration.value ? literalText(declaration.value) : undefined;
  if (bicepDefault !== undefined && !fileDefault.includes('${') && bicepDefault !== fileDefault) {
    return (
      `\${${variable}} defaults to '${fileDefault}' but the Bicep default is '${bicepDefault}'; ` +
      'azd always uses the one in main.parameters.json, so make them agree'
    );
  }
  return undefined;
}

function isString(declaration: Declaration): boolean {
  return declaration.node.namedChildren.some((child) => child.type === 'type' && child.text === 'string');
}

function minLength(declaration: Declaration): number {
  const [length] = decoratorArguments(declaration.node, 'minLength') ?? [];
  return length?.type === 'number' ? Number(length.text) : 0;
}

/** A default written as a literal: string, number or boolean, as the text envsubst would produce. */
function literalText(node: Node): string | undefined {
  if (node.type === 'number' || node.type === 'boolean') return node.text;
  return plainString(node);
}
