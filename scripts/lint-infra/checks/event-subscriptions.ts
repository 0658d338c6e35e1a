import type { Node } from 'web-tree-sitter';

import { HANDLED_CHAT_EVENT_TYPES } from '../../../src/events/chat-event-schemas';
import { type BicepFile, lineOf } from '../bicep-file';
import { declarationTypeString, descendants, objectProperty, plainString, toDeclaration } from '../bicep-syntax';
import { traceStringLiteral, valueOfVariable } from '../bicep-values';
import type { Finding } from '../finding';

/**
 * The Event Grid subscription delivers exactly the event types `chatEvents` handles (HANDLED_CHAT_EVENT_TYPES in
 * src/events/chat-event-schemas.ts): a type missing from infra never reaches the app, a type only in infra is
 * delivered, paid for and ignored. The subscription targets a function without keys (endpointType AzureFunction)
 * and dead-letters with a managed identity (deadLetterWithResourceIdentity).
 */
export function checkEventSubscriptions(
  files: BicepFile[],
  mainBicep: BicepFile,
  handled: readonly string[] = HANDLED_CHAT_EVENT_TYPES,
): Finding[] {
  const subscriptions = files.flatMap((file) =>
    descendants(file.root)
      .filter(isEventSubscription)
      .map((node) => ({ file, node })),
  );
  if (subscriptions.length === 0) {
    return [
      {
        file: mainBicep.displayPath,
        line: 1,
        check: 'event-subscriptions',
        message: `no Microsoft.EventGrid/systemTopics/eventSubscriptions delivers ${handled.join(', ')} to chatEvents`,
      },
    ];
  }
  return subscriptions.flatMap(({ file, node }) => checkSubscription(file, node, handled));
}

function checkSubscription(file: BicepFile, resource: Node, handled: readonly string[]): Finding[] {
  const declaration = toDeclaration(resource);
  const name = declaration?.name ?? 'event subscription';
  const finding = (message: string): Finding => ({
    file: file.displayPath,
    line: lineOf(resource),
    check: 'event-subscriptions',
    message: `${name} ${message}`,
  });
  const body = bodyOf(declaration?.value);
  const properties = objectProperty(body, 'properties');
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

function isEventSubscription(node: Node): boolean {
  if (node.type !== 'resource_declaration') return false;
  const resourceType = plainString(declarationTypeString(node)) ?? '';
  return resourceType.toLowerCase().startsWith('microsoft.eventgrid/systemtopics/eventsubscriptions@');
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
