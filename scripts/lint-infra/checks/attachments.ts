import type { Node } from 'web-tree-sitter';

import { findFunctionAppSettings, type FunctionAppSettings } from '../app-settings';
import { type BicepFile, lineOf } from '../bicep-file';
import { type ModuleOutput, moduleOutputOf, passedExpression } from '../bicep-modules';
import {
  enclosingResource,
  notBooleanLiteral,
  outputResource,
  resolveResourceSymbol,
  type ResourceRef,
} from '../bicep-resources';
import {
  isExistingResource,
  nestedResources,
  objectProperty,
  plainString,
  resourceTypeOf,
  toDeclaration,
  topLevelDeclarations,
} from '../bicep-syntax';
import { alternativesOf, evaluate, resolveObject } from '../bicep-values';
import type { Finding } from '../finding';

/** The methods attachments need from browsers: PUT to upload with a link, GET and HEAD to read one. */
export const ATTACHMENTS_CORS_METHODS = ['PUT', 'GET', 'HEAD'] as const;
/** The blob index tag an upload carries until a message claims it; the lifecycle backstop deletes on it. */
export const UNCLAIMED_TAG = { name: 'claimed', value: 'false' } as const;

/** Where a function app keeps attachments: the container ATTACHMENTS_CONTAINER names, and the container's account. */
export interface AttachmentsStore {
  app: FunctionAppSettings;
  /** The module output ATTACHMENTS_CONTAINER comes from. */
  origin: ModuleOutput;
  container: ResourceRef;
  blobService: Node;
  account: Node;
}

/**
 * For each function app, the blob container ATTACHMENTS_CONTAINER names: the setting must be an output of the module
 * that deploys the container, written `<container>.name`. Apps whose setting is missing or cannot be followed have no
 * store here (the attachments access check reports them).
 */
export function attachmentsStores(files: BicepFile[]): AttachmentsStore[] {
  return findFunctionAppSettings(files).flatMap((app) => {
    const setting = app.settings.get('ATTACHMENTS_CONTAINER');
    const origin = setting ? moduleOutputOf(setting.node, setting.file, files) : undefined;
    const container = origin ? outputResource(origin, files) : undefined;
    if (!origin || !container || !isBlobContainer(container.node)) return [];
    const blobService = enclosingResource(container.node, container.file);
    const account = blobService ? enclosingResource(blobService, container.file) : undefined;
    if (!blobService || !account || !isStorageAccount(account)) return [];
    return [{ app, origin, container, blobService, account }];
  });
}

/**
 * The attachments container is private and its account keeps blobs private and refuses Shared Key (so the only SAS it
 * accepts is a user delegation SAS); the Blob service lets the API's CORS origins PUT, GET and HEAD, nothing more; and
 * a lifecycle rule deletes uploads still tagged claimed=false after at least a day, while no delete rule reaches the
 * container without that tag filter (it would delete attachments that messages carry).
 */
export function checkAttachments(files: BicepFile[]): Finding[] {
  return attachmentsStores(files).flatMap((store) => [
    ...containerFindings(store),
    ...accountFindings(store),
    ...corsFindings(store, files),
    ...lifecycleFindings(store),
  ]);
}

function containerFindings({ container }: AttachmentsStore): Finding[] {
  const properties = resolveObject(objectProperty(toDeclaration(container.node)?.value, 'properties'), container.file);
  const publicAccess = objectProperty(properties, 'publicAccess');
  if (!publicAccess || plainString(publicAccess) === 'None') return [];
  return [
    finding(
      container.file,
      publicAccess,
      `container ${symbolOf(container.node)} sets publicAccess ${publicAccess.text}: attachments must stay private ` +
        "('None' or no publicAccess)",
    ),
  ];
}

function accountFindings({ container, account }: AttachmentsStore): Finding[] {
  const reasons = {
    allowBlobPublicAccess: 'a container could be made public',
    allowSharedKeyAccess: 'account keys, and SAS links signed with them, would work besides user delegation SAS',
  };
  return Object.entries(reasons).flatMap(([property, reason]) => {
    const wrong = notBooleanLiteral({ file: container.file, node: account }, property, false);
    if (!wrong) return [];
    return [
      finding(
        container.file,
        wrong,
        `storage account ${symbolOf(account)} (attachments) does not set ${property}: false (a literal): ${reason}`,
      ),
    ];
  });
}

function corsFindings({ app, container, blobService }: AttachmentsStore, files: BicepFile[]): Finding[] {
  const { file } = container;
  const service = symbolOf(blobService);
  const properties = resolveObject(objectProperty(toDeclaration(blobService)?.value, 'properties'), file);
  const corsRules = objectProperty(objectProperty(properties, 'cors'), 'corsRules');
  if (!corsRules) {
    return [
      finding(file, blobService, `blob service ${service} has no cors.corsRules: browsers cannot upload attachments`),
    ];
  }
  const rules = alternativesOf(corsRules, file).flatMap((alternative) =>
    alternative.type === 'array'
      ? alternative.namedChildren.filter((child) => child.type !== 'comment')
      : [alternative],
  );
  const findings = rules.flatMap((rule) => corsRuleFindings(rule, file, app, files));
  const allowsPut = rules.some((rule) => methodsOf(resolveObject(rule, file), file)?.includes('PUT'));
  if (!allowsPut)
    findings.push(finding(file, corsRules, `blob service ${service}: no CORS rule lets browsers PUT attachments`));
  return findings;
}

function corsRuleFindings(ruleNode: Node, file: BicepFile, app: FunctionAppSettings, files: BicepFile[]): Finding[] {
  const rule = resolveObject(ruleNode, file);
  if (!rule) return [finding(file, ruleNode, 'a CORS rule of the Blob service is not written out in the Bicep')];
  const findings: Finding[] = [];
  const methods = methodsOf(rule, file);
  if (!methods) {
    findings.push(
      finding(file, rule, 'CORS rule: allowedMethods is not a literal list (or loadJsonContent) of methods'),
    );
  } else {
    const extra = methods.filter((method) => !(ATTACHMENTS_CORS_METHODS as readonly string[]).includes(method));
    if (extra.length > 0) {
      findings.push(
        finding(
          file,
          objectProperty(rule, 'allowedMethods') ?? rule,
          `CORS rule allows ${extra.join(', ')}: attachments need only PUT (upload with a link) and GET, HEAD`,
        ),
      );
    }
  }
  const originsNode = objectProperty(rule, 'allowedOrigins');
  const origins = evaluate(originsNode, file);
  if (Array.isArray(origins) && origins.includes('*'))
    findings.push(finding(file, originsNode ?? rule, "CORS rule allows any origin ('*'): list the API's origins"));
  const appOrigins = objectProperty(
    objectProperty(
      objectProperty(
        resolveObject(objectProperty(toDeclaration(app.resource)?.value, 'properties'), app.file),
        'siteConfig',
      ),
      'cors',
    ),
    'allowedOrigins',
  );
  const source = passedExpression(originsNode, file, files);
  const appSource = passedExpression(appOrigins, app.file, files);
  const same =
    source !== undefined &&
    appSource !== undefined &&
    source.file.absolutePath === appSource.file.absolutePath &&
    source.node.text === appSource.node.text;
  if (!same) {
    findings.push(
      finding(
        file,
        originsNode ?? rule,
        `CORS rule's allowedOrigins do not come from what function app ${app.symbol}'s CORS origins come from ` +
          `(${appSource ? `${appSource.node.text} in ${appSource.file.displayPath}` : 'unknown'})`,
      ),
    );
  }
  return findings;
}

/** The upper-cased methods of a CORS rule, when written out (literally or through loadJsonContent). */
function methodsOf(rule: Node | undefined, file: BicepFile): string[] | undefined {
  const methods = evaluate(objectProperty(rule, 'allowedMethods'), file);
  if (!Array.isArray(methods) || !methods.every((method): method is string => typeof method === 'string'))
    return undefined;
  return methods.map((method) => method.toUpperCase());
}

function lifecycleFindings({ container, account }: AttachmentsStore): Finding[] {
  const { file } = container;
  const rules = managementPolicies(account, file).flatMap((policy) => {
    const properties = resolveObject(objectProperty(toDeclaration(policy)?.value, 'properties'), file);
    return alternativesOf(objectProperty(objectProperty(properties, 'policy'), 'rules'), file)
      .filter((alternative) => alternative.type === 'array')
      .flatMap((array) => array.namedChildren.flatMap((rule) => resolveObject(rule, file) ?? []));
  });
  const containerName = objectProperty(toDeclaration(container.node)?.value, 'name');
  const findings: Finding[] = [];
  let backstop = false;
  for (const rule of rules) {
    const name = evaluate(objectProperty(rule, 'name'), file);
    const label = `lifecycle rule ${typeof name === 'string' ? name : '(unnamed)'}`;
    const definition = objectProperty(rule, 'definition');
    const filters = objectProperty(definition, 'filters');
    const deletion = objectProperty(objectProperty(objectProperty(definition, 'actions'), 'baseBlob'), 'delete');
    const prefixes = (objectProperty(filters, 'prefixMatch')?.namedChildren ?? []).filter(
      (prefix) => prefix.type !== 'comment',
    );
    const targetsContainer = prefixes.some((prefix) => isContainerPrefix(prefix, containerName, file));
    if (!deletion || evaluate(objectProperty(rule, 'enabled'), file) === false) continue;
    if (prefixes.length > 0 && !targetsContainer) continue;
    if (!hasUnclaimedFilter(filters, file)) {
      findings.push(
        finding(
          file,
          rule,
          `${label} deletes blobs in the attachments container without the blob index filter ` +
            `${UNCLAIMED_TAG.name} == '${UNCLAIMED_TAG.value}': it would delete attachments that messages carry`,
        ),
      );
      continue;
    }
    const days = evaluate(objectProperty(deletion, 'daysAfterCreationGreaterThan'), file);
    if (typeof days !== 'number' || days < 1) {
      findings.push(
        finding(
          file,
          deletion,
          `${label} must delete on daysAfterCreationGreaterThan of at least 1 (a literal): it is a backstop for ` +
            "the app's own clean-up after an hour, and must not race an upload that a message is about to claim",
        ),
      );
    } else if (targetsContainer) {
      backstop = true;
    }
  }
  if (!backstop) {
    findings.push(
      finding(
        file,
        container.node,
        `no lifecycle rule (managementPolicies on storage account ${symbolOf(account)}) deletes unclaimed ` +
          `attachments: block blobs with prefix '<container>/', blobIndexMatch ${UNCLAIMED_TAG.name} == ` +
          `'${UNCLAIMED_TAG.value}', baseBlob.delete.daysAfterCreationGreaterThan of at least 1`,
      ),
    );
  }
  return findings;
}

/** Deployed `managementPolicies` of an account: nested in it, or top-level with `parent:` naming it. */
function managementPolicies(account: Node, file: BicepFile): Node[] {
  const body = toDeclaration(account)?.value;
  const nested = body ? nestedResources(body).filter((child) => resourceTypeOf(child) === 'managementpolicies') : [];
  const topLevel = topLevelDeclarations(file.root)
    .filter(
      (d) => d.kind === 'resource' && resourceTypeOf(d.node) === 'microsoft.storage/storageaccounts/managementpolicies',
    )
    .filter((d) => resolveResourceSymbol(objectProperty(d.value, 'parent'), file)?.equals(account))
    .map((d) => d.node);
  return [...nested, ...topLevel].filter((policy) => !isExistingResource(policy));
}

/** A prefix `'<container name>/…'`: the literal name, or `'${x}/…'` where x is what the container's name is. */
function isContainerPrefix(prefix: Node, containerName: Node | undefined, file: BicepFile): boolean {
  const literal = evaluate(prefix, file);
  const name = evaluate(containerName, file);
  if (typeof literal === 'string' && typeof name === 'string') return literal.startsWith(`${name}/`);
  const [first, second] = prefix.namedChildren;
  const expression = first?.type === 'interpolation' ? first.namedChildren[0] : undefined;
  return (
    expression !== undefined &&
    expression.text === containerName?.text &&
    second?.type === 'string_content' &&
    second.text.startsWith('/')
  );
}

function hasUnclaimedFilter(filters: Node | undefined, file: BicepFile): boolean {
  const conditions = evaluate(objectProperty(filters, 'blobIndexMatch'), file);
  return (
    Array.isArray(conditions) &&
    conditions.some((condition: unknown) => {
      const { name, op, value } = (condition ?? {}) as Record<string, unknown>;
      return name === UNCLAIMED_TAG.name && op === '==' && value === UNCLAIMED_TAG.value;
    })
  );
}

export function isBlobContainer(node: Node): boolean {
  const type = resourceTypeOf(node);
  return type === 'containers' || type === 'microsoft.storage/storageaccounts/blobservices/containers';
}

export function isStorageAccount(node: Node): boolean {
  return resourceTypeOf(node) === 'microsoft.storage/storageaccounts';
}

export function symbolOf(node: Node): string {
  return toDeclaration(node)?.name ?? 'resource';
}

function finding(file: BicepFile, node: Node, message: string): Finding {
  return { file: file.displayPath, line: lineOf(node), check: 'attachments', message };
}
