import type { Node } from 'web-tree-sitter';

import { HANDLED_CHAT_EVENT_TYPES } from '../../../src/events/chat-event-schemas';
import { type BicepFile, lineOf } from '../bicep-file';
import {
  declarationTypeString,
  descendants,
  objectProperty,
  plainString,
  toDeclaration,
  topLevelDeclarations,
} from '../bicep-syntax';
import { traceStringLiteral, valueOfVariable } from '../bicep-values';
import type { Finding } from '../finding';

/**
 * The Event Grid subscription delivers exactly the event types `chatEvents` handles (HANDLED_CHAT_EVENT_TYPES in
 * src/events/chat-event-schemas.ts): a type missing from infra never reaches the app, a type only in infra is
 * delivered, paid for and ignored. The subscription targets a function without keys (endpointType AzureFunction)
 * and dead-letters with a managed identity (deadLetterWithResourceIdentity).
 *
 * A subscription is either a `Microsoft.EventGrid/systemTopics/eventSubscriptions` resource or, as in
 * infra/app/eventgrid.bicep, a variable holding its properties, which an output hands to the postdeploy hook (Event
 * Grid accepts the subscription only once the function is deployed). Such a variable is recognised by its shape: an
 * object with `destination.endpointType`.
 */
export function checkEventSubscriptions(
  files: BicepFile[],
  mainBicep: BicepFile,
  handled: readonly string[] = HANDLED_CHAT_EVENT_TYPES,
): Finding[] {
  const subscriptions = files.flatMap((file) => [
    ...descendants(file.root)
      .filter(isEventSubscriptionResource)
      .map((node) => ({ file, node, properties: objectProperty(bodyOf(toDeclaration(node)?.value), 'properties') })),
    ...topLevelDeclarations(file.root)
      .filter((declaration) => declaration.kind === 'var' && holdsSubscriptionProperties(declaration.value))
      .map((declaration) => ({ file, node: declaration.node, properties: declaration.value ?? undefined })),
  ]);
  if (subscriptions.length === 0) {
    return [
      {
        file: mainBicep.displayPath,
        line: 1,
        check: 'event-subscriptions',
        message: `no Microsoft.EventGrid/systemTopics/eventSubscriptions (resource, or variable holding its properties) delivers ${handled.join(', ')} to chatEvents`,
      },
    ];
  }
  return subscriptions.flatMap(({ file, node, properties }) => checkSubscription(file, node, properties, handled));
}

function checkSubscription(
  file: BicepFile,
  declarationNode: Node,
  properties: Node | undefined,
  handled: readonly string[],
): Finding[] {
  const name = toDeclaration(declarationNode)?.name ?? 'event subscription';
  const finding = (message: string): Finding => ({
    file: file.displayPath,
    line: lineOf(declarationNode),
    check: 'event-subscriptions',
    message: `${name} ${message}`,
  });
  const findings: Finding[] = [];

  const subscribed = stringsOf(objectProperty(objectProperty(properties, 'filter'), 'includedEventTypes'), file);
  if (subscribed === undefined) {
    findings.push(finding('has no literal filter.includedEventTypes: it would deliver every event type'));
  } else {
    const missing = handled.filter((type) => !subscribed.includes(type));
    const extra = subscribed.filter((type) => !handled.includes(type));
    if (missing.length > 0)
      findings.push(finding(`does not subscribe ${missing.join(', ')}, which chatEvents handles`));
    if (extra.length > 0) findings.push(finding(`subscribes ${extra.join(', ')}, which chatEvents does not handle`));
  }
  const endpointType = traceStringLiteral(
    objectProperty(objectProperty(properties, 'destination'), 'endpointType'),
    file,
  );
  if (endpointType !== 'AzureFunction')
    findings.push(finding(`delivers to endpointType ${endpointType ?? '(unknown)'}; use AzureFunction (no keys)`));
  if (!objectProperty(properties, 'deadLetterWithResourceIdentity'))
    findings.push(finding('has no deadLetterWithResourceIdentity: dead-letter with a managed identity, not keys'));
  if (!objectProperty(properties, 'retryPolicy')) findings.push(finding('has no retryPolicy'));
  return findings;
}

function isEventSubscriptionResource(node: Node): boolean {
  if (node.type !== 'resource_declaration') return false;
  const resourceType = plainString(declarationTypeString(node)) ?? '';
  return resourceType.toLowerCase().startsWith('microsoft.eventgrid/systemtopics/eventsubscriptions@');
}

/** An object literal with `destination.endpointType`: the properties of an event subscription. */
function holdsSubscriptionProperties(value: Node | null): boolean {
  return value?.type === 'object' && objectProperty(objectProperty(value, 'destination'), 'endpointType') !== undefined;
}

/** The object of `resource x '…' = {…}` or `= if (condition) {…}`. */
function bodyOf(value: Node | null | undefined): Node | undefined {
  if (!value) return undefined;
  if (value.type === 'object') return value;
  return value.namedChildren.find((child) => child.type === 'object');
}

/** The string literals of an array literal (or of a variable holding one); undefined if not all literal. */
function stringsOf(node: Node | null | undefined, file: BicepFile): string[] | undefined {
  const array = node?.type === 'identifier' ? valueOfVariable(file, node.text) : node;
  if (array?.type !== 'array') return undefined;
  const items = array.namedChildren.filter((child) => child.type !== 'comment').map((child) => plainString(child));
  return items.every((item): item is string => item !== undefined) ? items : undefined;
}
