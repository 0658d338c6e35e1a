import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

import { SPEC_DIR } from './contract';

/**
 * Validates Event Grid events against the contract in emulator/contract/eventgrid: the envelope, the `AcsChat*`
 * data definition of each event type (allOf chains flattened and closed with additionalProperties:false, so a field
 * the swagger does not declare counts as drift), and the subject pattern of the event type from WIRE-NOTES.md.
 *
 * One deliberate relaxation: the swagger types the values of `properties` as objects (autorest's "any"), while every
 * official example carries `properties.topic` as a string; the values may be anything.
 */

const EVENTGRID_DIR = resolve(SPEC_DIR, 'eventgrid');
const COMMON_REF = /\.\.\/(\.\.\/)+communication\/data-plane\/Common\/stable\/([0-9-]+)\/common\.json/g;
const BASE = 'https://acs-events.local/';
type Json = Record<string, unknown>;

export interface ContractRow {
  eventType: string;
  level: 'User' | 'Thread';
  definition: string;
  subject: RegExp;
}

/** The event-type table of WIRE-NOTES.md: type, level, data definition and subject template. */
export function contractRows(): ContractRow[] {
  const notes = readFileSync(resolve(EVENTGRID_DIR, 'WIRE-NOTES.md'), 'utf8');
  const rows: ContractRow[] = [];
  let previousSubject: RegExp | undefined;
  for (const line of notes.split('\n')) {
    const m = /^\| (\w+) \| (User|Thread)\*? \| (\w+)[^|]* \| (.+) \|$/.exec(line);
    if (!m) continue;
    const [, name, level, definition, subjectCell] = m as unknown as [
      string,
      string,
      'User' | 'Thread',
      string,
      string,
    ];
    const template = /`([^`]+)`/.exec(subjectCell)?.[1];
    const subject = template ? subjectPattern(template) : previousSubject;
    if (!subject) throw new Error(`No subject for ${name} in WIRE-NOTES.md`);
    previousSubject = subject;
    rows.push({ eventType: `Microsoft.Communication.${name}`, level, definition, subject });
  }
  return rows;
}

function subjectPattern(template: string): RegExp {
  const parts = template.split('/').map((part) => {
    if (part === '{thread-id}') return '19:[^/]+@thread\\.v2';
    if (part === '{rawId}' || part === 'rawId') return '8:acs:[^/]+';
    return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${parts.join('/')}$`);
}

function resolveLocal(definitions: Record<string, Json>, ref: string): Json {
  const name = ref.replace('#/definitions/', '');
  const def = definitions[name];
  if (!def) throw new Error(`Unknown definition ${ref}`);
  return def;
}

/** Merges a definition's allOf chain into one closed object schema. */
function flatten(definitions: Record<string, Json>, def: Json): Json {
  const properties: Record<string, Json> = {};
  const required = new Set<string>();
  const visit = (d: Json): void => {
    for (const part of (d.allOf as Json[] | undefined) ?? []) visit(resolveLocal(definitions, String(part.$ref)));
    Object.assign(properties, d.properties as Record<string, Json> | undefined);
    for (const r of (d.required as string[] | undefined) ?? []) required.add(r);
  };
  visit(def);
  if (properties.properties) properties.properties = { type: 'object' };
  return { type: 'object', properties, required: [...required], additionalProperties: false };
}

const ENVELOPE = {
  type: 'object',
  required: ['id', 'topic', 'subject', 'eventType', 'eventTime', 'data', 'dataVersion', 'metadataVersion'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', minLength: 1 },
    topic: {
      type: 'string',
      pattern:
        '^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.Communication/communicationServices/[^/]+$',
    },
    subject: { type: 'string' },
    eventType: { type: 'string' },
    eventTime: { type: 'string', format: 'date-time' },
    data: { type: 'object' },
    dataVersion: { const: '1.0' },
    metadataVersion: { const: '1' },
  },
};

export class EventContractValidator {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly envelope: ValidateFunction;
  private readonly data = new Map<string, ValidateFunction>();
  readonly rows = contractRows();

  constructor() {
    addFormats(this.ajv);
    this.ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
    const common = JSON.parse(readFileSync(resolve(SPEC_DIR, 'common-2023-11-15.json'), 'utf8')) as Json;
    common.$id = `${BASE}common-2023-11-15.json`;
    this.ajv.addSchema(common);
    const text = readFileSync(resolve(EVENTGRID_DIR, 'chat-events.swagger.json'), 'utf8').replace(
      COMMON_REF,
      'common-$2.json',
    );
    const swagger = JSON.parse(text) as { definitions: Record<string, Json> };
    const definitions: Record<string, Json> = {};
    for (const [name, def] of Object.entries(swagger.definitions))
      definitions[name] = flatten(swagger.definitions, def);
    this.ajv.addSchema({ $id: `${BASE}events.json`, definitions });
    this.envelope = this.ajv.compile(ENVELOPE);
    for (const row of this.rows)
      this.data.set(row.eventType, this.ajv.compile({ $ref: `${BASE}events.json#/definitions/${row.definition}` }));
  }

  /** undefined when the event conforms, else a description of what is wrong. */
  check(event: unknown): string | undefined {
    const label = JSON.stringify(event).slice(0, 200);
    if (!this.envelope(event)) return `envelope: ${this.ajv.errorsText(this.envelope.errors)} in ${label}`;
    const e = event as { eventType: string; subject: string; data: unknown };
    const row = this.rows.find((r) => r.eventType === e.eventType);
    const validate = this.data.get(e.eventType);
    if (!row || !validate) return `unknown event type ${e.eventType}`;
    if (!validate(e.data)) return `${e.eventType} data: ${this.ajv.errorsText(validate.errors)} in ${label}`;
    if (!row.subject.test(e.subject))
      return `${e.eventType} subject ${e.subject} does not match ${String(row.subject)}`;
    return undefined;
  }
}
