import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Resource ids of one provisioned environment, as infra/main.bicep outputs them. */
export const AZURE_SUBSCRIPTION_ID = '00000000-0000-0000-0000-0000000000a1';
const RESOURCE_GROUP = `/subscriptions/${AZURE_SUBSCRIPTION_ID}/resourceGroups/rg-dev`;
export const TOPIC_ID = `${RESOURCE_GROUP}/providers/Microsoft.EventGrid/systemTopics/acs-abc-events`;
export const SUBSCRIPTION_ID = `${TOPIC_ID}/eventSubscriptions/chat-events-to-function`;
export const SITE_ID = `${RESOURCE_GROUP}/providers/Microsoft.Web/sites/func-api-abc`;
export const FUNCTION_ID = `${SITE_ID}/functions/chatEvents`;

/** CHAT_EVENTS_SUBSCRIPTION_PROPERTIES as eventgrid.bicep computes it (event types shortened). */
export const SUBSCRIPTION_PROPERTIES = {
  destination: {
    endpointType: 'AzureFunction',
    properties: { resourceId: FUNCTION_ID, maxEventsPerBatch: 1, preferredBatchSizeInKilobytes: 64 },
  },
  filter: {
    includedEventTypes: [
      'Microsoft.Communication.ChatMessageReceivedInThread',
      'Microsoft.Communication.ChatThreadDeleted',
    ],
  },
  eventDeliverySchema: 'EventGridSchema',
  retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 },
  deadLetterWithResourceIdentity: {
    identity: { type: 'SystemAssigned' },
    deadLetterDestination: {
      endpointType: 'StorageBlob',
      properties: {
        resourceId: `${RESOURCE_GROUP}/providers/Microsoft.Storage/storageAccounts/stabc`,
        blobContainerName: 'chat-events-deadletter',
      },
    },
  },
};

export interface ArmRequest {
  method: string;
  path: string;
  apiVersion: string | null;
  authorization: string | undefined;
  body: unknown;
}

export interface ArmFailure {
  status: number;
  code: string;
  message: string;
}

export interface FakeArmOptions {
  /** The bearer token the fake accepts (what the fake azd hands out). */
  token: string;
  /** How many GETs of the function answer 404 before the app has indexed it (Infinity: never). */
  functionIndexedAfter?: number;
  /** Properties of a subscription that exists already (as Event Grid returns them). */
  existingSubscription?: Record<string, unknown>;
  /** Answers a request with this failure instead; undefined lets it through. */
  fail?: (request: ArmRequest) => ArmFailure | undefined;
  /** How Event Grid's asynchronous operation ends after a PUT. */
  operationError?: { code: string; message: string };
}

export interface FakeArm {
  endpoint: string;
  requests: ArmRequest[];
  /** What a PUT stored, as Event Grid's copy. */
  subscription: Record<string, unknown> | undefined;
  close(): Promise<void>;
}

/**
 * A loopback stand-in for the ARM endpoints the chat events hook calls: the system topic, the function app and its
 * function, the event subscription (GET, PUT) and Event Grid's operation status. It answers as ARM does: JSON error
 * bodies with a code, 401 without the expected bearer token, 201 plus Azure-AsyncOperation for a PUT.
 */
export async function startFakeArm(options: FakeArmOptions): Promise<FakeArm> {
  const state: FakeArm = {
    endpoint: '',
    requests: [],
    subscription: options.existingSubscription,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  let functionGets = 0;
  const server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const url = new URL(request.url ?? '/', 'http://fake');
      const armRequest: ArmRequest = {
        method: request.method ?? 'GET',
        path: url.pathname,
        apiVersion: url.searchParams.get('api-version'),
        authorization: request.headers.authorization,
        body,
      };
      state.requests.push(armRequest);
      route(armRequest, response);
    });
  });

  function route(request: ArmRequest, response: ServerResponse): void {
    if (request.authorization !== `Bearer ${options.token}`) {
      return send(response, 401, armError('InvalidAuthenticationToken', 'The access token is invalid.'));
    }
    if (!request.apiVersion) return send(response, 400, armError('MissingApiVersionParameter', 'no api-version'));
    const failure = options.fail?.(request);
    if (failure) return send(response, failure.status, armError(failure.code, failure.message));
    const path = request.path.toLowerCase();
    if (request.method === 'GET' && path === TOPIC_ID.toLowerCase()) {
      return send(response, 200, { id: TOPIC_ID, tags: { 'azd-env-name': 'dev' }, properties: {} });
    }
    if (request.method === 'GET' && path === SITE_ID.toLowerCase()) return send(response, 200, { id: SITE_ID });
    if (request.method === 'GET' && path === FUNCTION_ID.toLowerCase()) {
      functionGets += 1;
      return functionGets > (options.functionIndexedAfter ?? 0)
        ? send(response, 200, { id: FUNCTION_ID })
        : send(response, 404, armError('NotFound', 'Error retrieving function.'));
    }
    if (path === SUBSCRIPTION_ID.toLowerCase()) return subscriptionEndpoint(request, response);
    if (request.method === 'GET' && path.endsWith('/operationsstatus/put-1')) {
      const error = options.operationError;
      return send(response, 200, error ? { status: 'Failed', error } : { status: 'Succeeded' });
    }
    send(response, 404, armError('UnexpectedRequest', `${request.method} ${request.path}`));
  }

  function subscriptionEndpoint(request: ArmRequest, response: ServerResponse): void {
    if (request.method === 'PUT') {
      const { properties } = request.body as { properties: Record<string, unknown> };
      state.subscription = asEventGridReturnsIt(properties);
      response.setHeader(
        'Azure-AsyncOperation',
        `${state.endpoint}/subscriptions/${AZURE_SUBSCRIPTION_ID}/providers/Microsoft.EventGrid/locations/global/` +
          'operationsStatus/put-1?api-version=2025-02-15',
      );
      return send(response, 201, { id: SUBSCRIPTION_ID, properties: { ...properties, provisioningState: 'Creating' } });
    }
    if (request.method !== 'GET') return send(response, 405, armError('MethodNotAllowed', request.method));
    if (!state.subscription) return send(response, 404, armError('ResourceNotFound', 'no such subscription'));
    send(response, 200, { id: SUBSCRIPTION_ID, properties: state.subscription });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

/**
 * Event Grid's copy of a subscription: what was PUT, plus properties and defaults of its own, and the function's id
 * in lower case, as Event Grid may return resource ids.
 */
export function asEventGridReturnsIt(properties: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(properties) as typeof SUBSCRIPTION_PROPERTIES;
  copy.destination.properties.resourceId = copy.destination.properties.resourceId.toLowerCase();
  return {
    ...copy,
    filter: { ...copy.filter, advancedFilters: [], enableAdvancedFilteringOnArrays: true },
    labels: [],
    topic: TOPIC_ID.toLowerCase(),
    provisioningState: 'Succeeded',
  };
}

function armError(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}
