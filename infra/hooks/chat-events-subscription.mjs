// The work of the azd postdeploy hook (infra/hooks/subscribe-chat-events.mjs): subscribe the chatEvents function to
// ACS chat events with the ARM REST API, signed in as azd is (`azd auth token`), so nothing but azd is needed.
// What to subscribe comes from provisioning: infra/app/eventgrid.bicep computes the subscription's id and properties
// and main.bicep outputs them (CHAT_EVENTS_SUBSCRIPTION_ID, CHAT_EVENTS_SUBSCRIPTION_PROPERTIES). The hook only
// writes the subscription; the system topic, its tags and identity, the dead-letter container and its role assignment
// stay as provisioning made them.
// Plain Node (>= 20), no dependencies: azd runs it with `node`, and it imports nothing from the project.
import { spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';

export const ARM_ENDPOINT = 'https://management.azure.com';
/** The Resource Manager scope azd asks tokens for (azure.ManagementScope in azd). */
export const ARM_SCOPE = 'https://management.azure.com//.default';
// Stable (non-preview) versions: the one infra/app/eventgrid.bicep declares the topic with, and the one api.bicep uses.
const EVENT_GRID_API_VERSION = '2025-02-15';
const WEB_API_VERSION = '2024-04-01';

export const DEFAULT_TIMING = {
  /** How long to wait for the freshly deployed app to index chatEvents: a cold Flex app can take minutes. */
  indexTimeoutMs: 10 * 60_000,
  /** How long Event Grid may take to create or update the subscription once asked. */
  operationTimeoutMs: 5 * 60_000,
  pollIntervalMs: 10_000,
};

/** A failure the user can act on; its message says what to do. Anything else is a bug and is shown with its stack. */
export class HookError extends Error {}

/** An ARM response other than 2xx, with ARM's own error code and message. */
export class ArmError extends Error {
  constructor({ method, path, status, code, detail }) {
    super(`${method} ${path}: ${status}${code ? ` ${code}` : ''}${detail ? `: ${detail}` : ''}`);
    Object.assign(this, { method, path, status, code, detail });
  }
}

const RETRY_LATER = `then run \`azd hooks run postdeploy\` (or \`azd up\` again)`;

/**
 * What the hook needs from the azd environment: the subscription's resource id and properties (main.bicep outputs;
 * azd stores object outputs as JSON), the function and site they point at, and the system topic above it.
 */
export function readSettings(values) {
  const missing = ['CHAT_EVENTS_SUBSCRIPTION_ID', 'CHAT_EVENTS_SUBSCRIPTION_PROPERTIES'].filter(
    (name) => !values[name],
  );
  if (missing.length > 0) {
    throw new HookError(
      `the azd environment lacks ${missing.join(', ')}: run \`azd provision\` (or \`azd up\`) so that it holds the ` +
        'outputs of infra/main.bicep',
    );
  }
  const subscriptionId = values.CHAT_EVENTS_SUBSCRIPTION_ID;
  const topicId = parentId(subscriptionId, 'eventSubscriptions');
  const properties = parseProperties(values.CHAT_EVENTS_SUBSCRIPTION_PROPERTIES);
  const functionId = properties.destination?.properties?.resourceId;
  const siteId = typeof functionId === 'string' ? parentId(functionId, 'functions') : undefined;
  if (!topicId || !siteId) {
    throw new HookError(
      'CHAT_EVENTS_SUBSCRIPTION_ID or the function in CHAT_EVENTS_SUBSCRIPTION_PROPERTIES is not the resource id ' +
        'infra/app/eventgrid.bicep outputs: run `azd provision` to refresh the environment',
    );
  }
  assertInAzureSubscription([subscriptionId, functionId], values.AZURE_SUBSCRIPTION_ID);
  return { subscriptionId, topicId, properties, functionId, siteId };
}

function parseProperties(json) {
  try {
    const properties = JSON.parse(json);
    if (properties && typeof properties === 'object' && !Array.isArray(properties)) return properties;
  } catch {
    // Reported below.
  }
  throw new HookError('CHAT_EVENTS_SUBSCRIPTION_PROPERTIES is not a JSON object: run `azd provision` to refresh it');
}

/** `/…/{childType}/{name}` → `/…`; undefined when the id does not end in such a child. */
function parentId(resourceId, childType) {
  const match = new RegExp(`^(/subscriptions/[^/]+/.+)/${childType}/[^/]+$`, 'i').exec(resourceId);
  return match?.[1];
}

/** The outputs must belong to the environment's subscription; otherwise the environment is stale. */
function assertInAzureSubscription(resourceIds, azureSubscriptionId) {
  if (!azureSubscriptionId) return;
  const prefix = `/subscriptions/${azureSubscriptionId}/`.toLowerCase();
  if (resourceIds.every((id) => id.toLowerCase().startsWith(prefix))) return;
  throw new HookError(
    `the chat events outputs name another Azure subscription than AZURE_SUBSCRIPTION_ID (${azureSubscriptionId}): ` +
      'run `azd provision` to refresh the environment',
  );
}

/**
 * How azd is started: its name and an argument array, never through a shell, so no argument or path is re-parsed
 * or needs quoting. On Windows azd is azd.exe, which spawn finds on PATH without a shell.
 */
export function azdCommand(args, cwd) {
  return { file: 'azd', args, options: { cwd, shell: false, windowsHide: true } };
}

/** Runs azd and resolves with its standard output; rejects with its standard error (never its output). */
export function runAzd(args, cwd) {
  const { file, options } = azdCommand(args, cwd);
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout = [];
    const stderr = [];
    child.stdout.on('data', (chunk) => stdout.push(chunk));
    child.stderr.on('data', (chunk) => stderr.push(chunk));
    child.on('error', (error) => {
      reject(
        error.code === 'ENOENT'
          ? new HookError('azd was not found on PATH: install the Azure Developer CLI (https://aka.ms/azd)')
          : error,
      );
    });
    child.on('close', (exitCode) => {
      if (exitCode === 0) resolve(Buffer.concat(stdout).toString('utf8'));
      else reject(new Error(Buffer.concat(stderr).toString('utf8').trim() || `azd exited with code ${exitCode}`));
    });
  });
}

/** The azd environment: azd passes it to hooks as environment variables; run by hand, ask azd for it. */
export async function azdEnvironmentValues(env, cwd, run = runAzd) {
  if (env.CHAT_EVENTS_SUBSCRIPTION_ID) return env;
  try {
    return JSON.parse(await run(['env', 'get-values', '--output', 'json'], cwd));
  } catch (error) {
    if (error instanceof HookError) throw error;
    throw new HookError(
      `\`azd env get-values\` failed in ${cwd}: ${error.message}. Run the hook from the project with a provisioned ` +
        'azd environment (`azd hooks run postdeploy`)',
    );
  }
}

/**
 * Bearer tokens for ARM from `azd auth token`, which signs in as `azd auth login` did, in the tenant of the
 * environment's subscription. A token is reused until two minutes before it expires. Tokens are never printed.
 */
export function azdTokenSource({ cwd, run = runAzd, now = Date.now }) {
  let cached;
  return async function getToken() {
    if (cached && cached.expiresAt - now() > 120_000) return cached.token;
    let output;
    try {
      output = await run(['auth', 'token', '--output', 'json', '--scope', ARM_SCOPE], cwd);
    } catch (error) {
      if (error instanceof HookError) throw error;
      throw new HookError(
        `azd could not get a token for Azure Resource Manager (${error.message}). Sign in with \`azd auth login\`, ` +
          `the only sign-in this hook needs; ${RETRY_LATER}`,
      );
    }
    cached = parseToken(output);
    return cached.token;
  };
}

function parseToken(output) {
  try {
    const { token, expiresOn } = JSON.parse(output);
    const expiresAt = Date.parse(expiresOn);
    if (typeof token === 'string' && token !== '' && !Number.isNaN(expiresAt)) return { token, expiresAt };
  } catch {
    // Reported below, without the output: it may hold a token.
  }
  throw new HookError('`azd auth token --output json` did not print a token and its expiry; update azd');
}

/** GET and PUT on ARM resource ids with a bearer token; non-2xx answers become ArmError. */
export function armClient({ endpoint = ARM_ENDPOINT, getToken, fetch = globalThis.fetch }) {
  const base = endpoint.replace(/\/+$/, '');
  const origin = new URL(base).origin;

  async function send(method, url, body) {
    const headers = { authorization: `Bearer ${await getToken()}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response;
    try {
      response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      throw new HookError(`could not reach Azure Resource Manager at ${origin} (${error.cause?.message ?? error})`);
    }
    const text = await response.text();
    const json = parseJson(text);
    if (!response.ok) {
      const path = new URL(url).pathname;
      const { code, message } = json?.error ?? {};
      throw new ArmError({ method, path, status: response.status, code, detail: message ?? text.slice(0, 300) });
    }
    return { status: response.status, headers: response.headers, body: json };
  }

  const urlOf = (resourceId, apiVersion) => `${base}${resourceId}?api-version=${apiVersion}`;
  return {
    get: (resourceId, apiVersion) => send('GET', urlOf(resourceId, apiVersion)),
    put: (resourceId, apiVersion, body) => send('PUT', urlOf(resourceId, apiVersion), body),
    /** Follows a URL ARM handed out (Azure-AsyncOperation), only on ARM's own origin: the token goes nowhere else. */
    getOperation: (url) => (new URL(url).origin === origin ? send('GET', url) : undefined),
  };
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** What to tell the user about an ARM error on `what` (e.g. "function app func-api-x"). */
export function explainArmError(error, what) {
  const reason = `${error.status}${error.code ? ` ${error.code}` : ''}${error.detail ? `: ${error.detail}` : ''}`;
  if (error.status === 401) {
    return (
      `Azure Resource Manager refused azd's sign-in on ${what} (${reason}). Run \`azd auth login\` (with ` +
      `\`--tenant-id <tenant>\` if the subscription is in another tenant), ${RETRY_LATER}`
    );
  }
  if (error.status === 403) {
    return (
      `the identity azd is signed in as may not ${error.method === 'PUT' ? 'write' : 'read'} ${what} (${reason}). ` +
      'Creating the subscription needs Microsoft.EventGrid/systemTopics/eventSubscriptions/write on the system topic ' +
      `and read access to the function app, e.g. Contributor on the resource group; get that role, ${RETRY_LATER}`
    );
  }
  if (error.status === 404) return `${what} was not found (${reason}). ${notFoundAdvice(error.code)}`;
  return `${error.method} ${what} failed (${reason})`;
}

function notFoundAdvice(code) {
  if (code === 'SubscriptionNotFound') {
    return (
      'The Azure subscription is wrong or not visible to azd: check `azd env get-value AZURE_SUBSCRIPTION_ID` and ' +
      'that `azd auth login` signed in to its tenant'
    );
  }
  if (code === 'ResourceGroupNotFound') {
    return 'The resource group is gone or in another subscription: check `azd env get-values`, then run `azd provision`';
  }
  return 'Run `azd provision` so that the environment and its outputs match what exists in Azure';
}

/** Runs one ARM call about `what`, turning an ArmError into a HookError that says what to do. */
async function about(what, call) {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ArmError) throw new HookError(explainArmError(error, what));
    throw error;
  }
}

/**
 * Whether Event Grid's copy of the subscription already has every property we set. Event Grid adds properties and
 * defaults of its own (labels, advanced filters, provisioningState, …), which are ignored; resource ids are compared
 * without regard to case, as ARM compares them.
 */
export function includesProperties(actual, desired) {
  if (Array.isArray(desired)) {
    return (
      Array.isArray(actual) &&
      actual.length === desired.length &&
      desired.every((item) => actual.some((candidate) => includesProperties(candidate, item)))
    );
  }
  if (desired !== null && typeof desired === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
    return Object.entries(desired).every(([key, value]) => includesProperties(actual[key], value));
  }
  if (typeof desired === 'string' && typeof actual === 'string' && desired.startsWith('/subscriptions/')) {
    return desired.toLowerCase() === actual.toLowerCase();
  }
  return Object.is(actual, desired);
}

const nameOf = (resourceId) => resourceId.split('/').at(-1);

function minutesAndSeconds(ms) {
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/**
 * Waits until the function app lists the function: right after `azd deploy` a Flex app has not indexed its functions
 * yet, and Event Grid refuses a subscription to a function it cannot find. Only that 404 is waited for; any other
 * answer fails at once.
 */
async function waitForFunction(arm, settings, { timing, log, sleep, now }) {
  const what = `function ${nameOf(settings.functionId)} of function app ${nameOf(settings.siteId)}`;
  const started = now();
  for (;;) {
    try {
      await arm.get(settings.functionId, WEB_API_VERSION);
      return;
    } catch (error) {
      if (!(error instanceof ArmError && error.status === 404)) throw new HookError(explainArmError(error, what));
    }
    const waited = now() - started;
    if (waited >= timing.indexTimeoutMs) {
      throw new HookError(
        `the app has not indexed ${what} after ${minutesAndSeconds(waited)}. Check that \`azd deploy\` succeeded and ` +
          `that the app starts (\`azd monitor --logs\`), ${RETRY_LATER}`,
      );
    }
    log(
      `chat events: waiting for the app to index ${what} ` +
        `(${minutesAndSeconds(waited)} of at most ${minutesAndSeconds(timing.indexTimeoutMs)})`,
    );
    await sleep(Math.min(timing.pollIntervalMs, timing.indexTimeoutMs - waited));
  }
}

/** Event Grid creates and updates subscriptions asynchronously; waits for the outcome of the PUT. */
async function waitForProvisioning(arm, settings, putResponse, { timing, sleep, now }) {
  const what = `event subscription ${nameOf(settings.subscriptionId)}`;
  const operationUrl = putResponse.headers.get('azure-asyncoperation');
  const started = now();
  let state = putResponse.body?.properties?.provisioningState;
  let error;
  while (state !== 'Succeeded') {
    if (state === 'Failed' || state === 'Canceled') {
      const reason = error ? `${error.code}: ${error.message}` : `provisioningState ${state}`;
      throw new HookError(`Event Grid did not accept ${what} (${reason})`);
    }
    if (now() - started >= timing.operationTimeoutMs) {
      throw new HookError(
        `Event Grid has not finished ${what} after ${minutesAndSeconds(now() - started)}; ${RETRY_LATER}`,
      );
    }
    await sleep(timing.pollIntervalMs);
    const operation = operationUrl ? await about(what, () => arm.getOperation(operationUrl)) : undefined;
    if (operation) {
      state = operation.body?.status;
      error = operation.body?.error;
    } else {
      state = (await about(what, () => arm.get(settings.subscriptionId, EVENT_GRID_API_VERSION))).body?.properties
        ?.provisioningState;
    }
  }
}

/** GET that answers undefined for a 404: the subscription does not exist yet. */
async function getIfExists(arm, resourceId, apiVersion, what) {
  try {
    return (await arm.get(resourceId, apiVersion)).body;
  } catch (error) {
    if (!(error instanceof ArmError)) throw error;
    const scopeMissing = ['SubscriptionNotFound', 'ResourceGroupNotFound', 'ParentResourceNotFound'].includes(
      error.code,
    );
    if (error.status === 404 && !scopeMissing) return undefined;
    throw new HookError(explainArmError(error, what));
  }
}

/**
 * Subscribes chatEvents: checks that the system topic and the function app exist (a 404 there means the environment
 * is wrong, not that something is still starting), waits for the function, then creates the subscription, updates it
 * if it differs, or leaves it alone. Resolves with 'created', 'updated' or 'unchanged'.
 */
export async function subscribeChatEvents({
  settings,
  arm,
  log = console.log,
  timing = DEFAULT_TIMING,
  sleep = delay,
  now = Date.now,
}) {
  const context = { timing, log, sleep, now };
  await about(`system topic ${nameOf(settings.topicId)}`, () => arm.get(settings.topicId, EVENT_GRID_API_VERSION));
  await about(`function app ${nameOf(settings.siteId)}`, () => arm.get(settings.siteId, WEB_API_VERSION));
  await waitForFunction(arm, settings, context);

  const what = `event subscription ${nameOf(settings.subscriptionId)}`;
  const existing = await getIfExists(arm, settings.subscriptionId, EVENT_GRID_API_VERSION, what);
  const current = existing?.properties;
  if (current?.provisioningState === 'Succeeded' && includesProperties(current, settings.properties)) {
    log(`chat events: ${what} unchanged`);
    return 'unchanged';
  }
  const putResponse = await about(what, () =>
    arm.put(settings.subscriptionId, EVENT_GRID_API_VERSION, { properties: settings.properties }),
  );
  await waitForProvisioning(arm, settings, putResponse, context);
  const outcome = existing ? 'updated' : 'created';
  log(`chat events: ${what} ${outcome}: Event Grid delivers ACS chat events to ${nameOf(settings.functionId)}`);
  return outcome;
}
