import type { Node } from 'web-tree-sitter';

import type { FunctionAppSettings } from './app-settings';
import { type BicepFile, lineOf } from './bicep-file';
import { type ModuleOutput, moduleOutputOf, sameModule } from './bicep-modules';
import { deployedResource, resolveResourceSymbol, type ResourceRef, sameResource } from './bicep-resources';
import { descendants, isConditional, objectProperty, resourceTypeOf, toDeclaration } from './bicep-syntax';
import { traceStringLiteral } from './bicep-values';
import { type BuiltInRole, builtInRoleById } from './built-in-roles';
import type { Finding } from './finding';

/** A role assignment in the Bicep, read as far as the lint can follow it. */
export interface RoleGrant {
  file: BicepFile;
  node: Node;
  /** The symbol of the assignment. */
  name: string;
  role: BuiltInRole | undefined;
  /** `= if (…) {…}`: deployed only sometimes. */
  conditional: boolean;
  /** The module output its principalId comes from (a managed identity module), if it comes from one. */
  principal: ModuleOutput | undefined;
  /** The deployed resource its `scope:` names (followed through `existing` references), if the lint can tell. */
  scope: ResourceRef | undefined;
}

/** Every `Microsoft.Authorization/roleAssignments` resource in the files. */
export function roleGrants(files: BicepFile[]): RoleGrant[] {
  return files.flatMap((file) =>
    descendants(file.root)
      .filter((node) => resourceTypeOf(node) === 'microsoft.authorization/roleassignments')
      .map((node): RoleGrant => {
        const declaration = toDeclaration(node);
        const body = declaration?.value;
        const properties = objectProperty(body, 'properties');
        const roleId = traceStringLiteral(objectProperty(properties, 'roleDefinitionId'), file)?.split('/').at(-1);
        const scopeNode = resolveResourceSymbol(objectProperty(body, 'scope'), file);
        return {
          file,
          node,
          name: declaration?.name ?? 'role assignment',
          role: roleId === undefined ? undefined : builtInRoleById(roleId),
          conditional: isConditional(node),
          principal: moduleOutputOf(objectProperty(properties, 'principalId'), file, files),
          scope: scopeNode ? deployedResource(scopeNode, file, files) : undefined,
        };
      }),
  );
}

/** The identity module whose client id the app's AZURE_CLIENT_ID is (DefaultAzureCredential signs in as it). */
export function appIdentity(app: FunctionAppSettings, files: BicepFile[]): ModuleOutput | undefined {
  const clientId = app.settings.get('AZURE_CLIENT_ID');
  return clientId ? moduleOutputOf(clientId.node, clientId.file, files) : undefined;
}

/** Why a role check cannot tell whom a role must go to: AZURE_CLIENT_ID is not a module output. */
export function unknownIdentityMessage(app: FunctionAppSettings, needs: string): string {
  return (
    `function app ${app.symbol}: AZURE_CLIENT_ID does not come from a module's output, so the identity that ` +
    `needs ${needs} is unknown`
  );
}

/** `apiIdentity in infra/main.bicep, its AZURE_CLIENT_ID`: the identity module named in findings. */
export function describeIdentity(identity: ModuleOutput): string {
  return `${identity.module.name} in ${identity.caller.displayPath}, its AZURE_CLIENT_ID`;
}

/**
 * The app's identity (the one its AZURE_CLIENT_ID names) must hold `role` on `scope` itself through an unconditional
 * assignment: no finding when it does; else one of check `check` at the resource, whose message ends with
 * `consequence` (what the app cannot do without it), or at the app when its identity cannot be told.
 */
export function appRoleFindings(
  app: FunctionAppSettings,
  scope: ResourceRef & { symbol: string },
  role: string,
  grants: RoleGrant[],
  files: BicepFile[],
  consequence: string,
  check: string,
): Finding[] {
  const identity = appIdentity(app, files);
  if (!identity) {
    const message = unknownIdentityMessage(app, `${role} on ${scope.symbol}`);
    return [{ file: app.file.displayPath, line: lineOf(app.resource), check, message }];
  }
  const granted = grants.some(
    (grant) =>
      !grant.conditional &&
      grant.role?.name === role &&
      grant.principal !== undefined &&
      sameModule(grant.principal, identity) &&
      sameResource(grant.scope, scope),
  );
  if (granted) return [];
  const message =
    `no unconditional role assignment gives ${role} on ${scope.symbol} to the identity of function app ` +
    `${app.symbol} (${describeIdentity(identity)}): ${consequence}`;
  return [{ file: scope.file.displayPath, line: lineOf(scope.node), check, message }];
}
