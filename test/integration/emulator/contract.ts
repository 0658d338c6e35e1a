import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Validates emulator responses against the ACS swagger files in emulator/contract (kept in the repo).
 * Definitions with plain properties are tightened with additionalProperties:false so that a field the
 * spec does not know also counts as drift.
 */

const REPO_ROOT = resolve(__dirname, '../../..');
export const SPEC_DIR = resolve(REPO_ROOT, 'emulator/contract');
const BASE = 'https://acs-spec.local/';
const CHAT = 'chat-2025-03-15.json';
const IDENTITY = 'identity-2023-10-01.json';
const EMAIL = 'email/email-2025-09-01.json';
const EMAIL_2023 = 'email/email-2023-03-31.json';
const EMAIL_PREVIEW = 'email/email-2021-10-01-preview.json';
const FILES = [
  CHAT,
  IDENTITY,
  'common-2022-07-13.json',
  'common-2023-11-15.json',
  'common-2025-06-30.json',
  EMAIL,
  EMAIL_2023,
  EMAIL_PREVIEW,
  'email/common-types-v1.json',
];

/** operation -> [spec file, swagger path, method] */
const OPERATIONS: Record<string, [string, string, string]> = {
  'identity.createUser': [IDENTITY, '/identities', 'post'],
  'identity.deleteUser': [IDENTITY, '/identities/{id}', 'delete'],
  'identity.issueToken': [IDENTITY, '/identities/{id}/:issueAccessToken', 'post'],
  'identity.revokeTokens': [IDENTITY, '/identities/{id}/:revokeAccessTokens', 'post'],
  'identity.exchangeTeamsToken': [IDENTITY, '/teamsUser/:exchangeAccessToken', 'post'],
  'chat.createThread': [CHAT, '/chat/threads', 'post'],
  'chat.listThreads': [CHAT, '/chat/threads', 'get'],
  'chat.getThread': [CHAT, '/chat/threads/{chatThreadId}', 'get'],
  'chat.updateThread': [CHAT, '/chat/threads/{chatThreadId}', 'patch'],
  'chat.deleteThread': [CHAT, '/chat/threads/{chatThreadId}', 'delete'],
  'chat.sendMessage': [CHAT, '/chat/threads/{chatThreadId}/messages', 'post'],
  'chat.listMessages': [CHAT, '/chat/threads/{chatThreadId}/messages', 'get'],
  'chat.getMessage': [CHAT, '/chat/threads/{chatThreadId}/messages/{chatMessageId}', 'get'],
  'chat.updateMessage': [CHAT, '/chat/threads/{chatThreadId}/messages/{chatMessageId}', 'patch'],
  'chat.deleteMessage': [CHAT, '/chat/threads/{chatThreadId}/messages/{chatMessageId}', 'delete'],
  'chat.listParticipants': [CHAT, '/chat/threads/{chatThreadId}/participants', 'get'],
  'chat.addParticipants': [CHAT, '/chat/threads/{chatThreadId}/participants/:add', 'post'],
  'chat.removeParticipant': [CHAT, '/chat/threads/{chatThreadId}/participants/:remove', 'post'],
  'chat.sendTyping': [CHAT, '/chat/threads/{chatThreadId}/typing', 'post'],
  'chat.sendReadReceipt': [CHAT, '/chat/threads/{chatThreadId}/readReceipts', 'post'],
  'chat.listReadReceipts': [CHAT, '/chat/threads/{chatThreadId}/readReceipts', 'get'],
  // Both GA api-versions have the same paths and definitions (email/README.md); checked against 2025-09-01.
  'email.send': [EMAIL, '/emails:send', 'post'],
  'email.getSendResult': [EMAIL, '/emails/operations/{operationId}', 'get'],
  'email.sendPreview': [EMAIL_PREVIEW, '/emails:send', 'post'],
  'email.getSendStatus': [EMAIL_PREVIEW, '/emails/{messageId}/status', 'get'],
};

type Json = Record<string, unknown>;
interface SwaggerResponse {
  schema?: { $ref?: string };
}
interface Swagger {
  paths: Record<string, Record<string, { responses: Record<string, SwaggerResponse> }>>;
  definitions: Record<string, Json>;
}

function tighten(definitions: Record<string, Json>): void {
  for (const def of Object.values(definitions)) {
    if (def.properties && !def.allOf && !def.discriminator && def.additionalProperties === undefined)
      def.additionalProperties = false;
  }
}

/**
 * `$ref`s as published, rewritten to the flat files here: `../../../Common/stable/<v>/common.json` →
 * `common-<v>.json` (the Email preview's 2021-03-07 is not stored; its CommunicationErrorResponse is read from
 * 2022-07-13, see email/README.md), `../../../../../common-types/data-plane/v1/types.json` → the copy beside the Email
 * files. References resolve relative to the file that holds them, as published.
 */
function loadSpec(file: string): Swagger & Json {
  const text = readFileSync(resolve(SPEC_DIR, file), 'utf8')
    .replace(/\.\.\/\.\.\/\.\.\/Common\/stable\/2021-03-07\/common\.json/g, '../common-2022-07-13.json')
    .replace(/\.\.\/\.\.\/\.\.\/Common\/stable\/([0-9-]+)\/common\.json/g, 'common-$1.json')
    .replace(/(?:\.\.\/)+common-types\/data-plane\/v1\/types\.json/g, 'common-types-v1.json');
  const spec = JSON.parse(text) as Swagger & Json;
  tighten(spec.definitions);
  spec.$id = BASE + file;
  return spec;
}

export class ContractValidator {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly specs = new Map<string, Swagger>();
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor() {
    if (!existsSync(SPEC_DIR)) throw new Error(`Swagger files not found at ${SPEC_DIR}.`);
    addFormats(this.ajv);
    this.ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) });
    this.ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
    for (const f of FILES) {
      const spec = loadSpec(f);
      this.specs.set(f, spec);
      this.ajv.addSchema(spec);
    }
  }

  private validator(ref: string): ValidateFunction {
    let v = this.compiled.get(ref);
    if (!v) this.compiled.set(ref, (v = this.ajv.compile({ $ref: ref })));
    return v;
  }

  /** undefined when `body` is what the spec allows for `operation` answering `status`; else a description. */
  check(operation: string, status: number, body: unknown): string | undefined {
    const op = OPERATIONS[operation];
    if (!op) return `unknown operation ${operation}`;
    const [file, path, method] = op;
    const responses = this.specs.get(file)?.paths[path]?.[method]?.responses;
    if (!responses) return `no swagger operation for ${operation}`;
    let response = responses[String(status)] ?? responses.default;
    if (!response && status >= 400)
      response = { schema: { $ref: 'common-2023-11-15.json#/definitions/CommunicationErrorResponse' } };
    if (!response) return `${operation}: status ${status} is not in the spec`;
    const ref = response.schema?.$ref;
    if (!ref) return body === undefined ? undefined : `${operation} ${status}: the spec has no body but one was sent`;
    const full = new URL(ref, BASE + file).href;
    const validate = this.validator(full);
    if (validate(body)) return undefined;
    return `${operation} ${status}: ${this.ajv.errorsText(validate.errors)} in ${JSON.stringify(body).slice(0, 300)}`;
  }
}
