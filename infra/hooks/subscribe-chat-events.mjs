#!/usr/bin/env node
// azd postdeploy hook: the second deployment step of infra/app/eventgrid.bicep. The event subscription delivers ACS
// chat events to the chatEvents function (endpointType AzureFunction), and Event Grid refuses it until that function
// exists, which is only after `azd deploy`; so `azd up` provisions the system topic, deploys the code, and then this
// hook adds the subscription, all in one go. Idempotent: running it again changes nothing.
// Needs the Azure CLI (`az`, signed in, as docs/deploy.md describes); reads the azd environment's outputs.
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const ATTEMPTS = 5;
const PAUSE_MS = 20_000;

export function deploymentArgs(env) {
  const missing = [
    'AZURE_RESOURCE_GROUP',
    'AZURE_FUNCTION_APP_NAME',
    'AZURE_STORAGE_ACCOUNT_NAME',
    'ACS_ENDPOINT',
  ].filter((name) => !env[name]);
  if (missing.length > 0) throw new Error(`missing azd environment values: ${missing.join(', ')} (run azd provision)`);
  // https://<name>.<geo>.communication.azure.com
  const communicationServiceName = new URL(env.ACS_ENDPOINT).hostname.split('.')[0];
  const template = fileURLToPath(new URL('../app/eventgrid.bicep', import.meta.url));
  return [
    ...['deployment', 'group', 'create', '--resource-group', env.AZURE_RESOURCE_GROUP],
    ...['--name', 'chat-events-subscription', '--template-file', template, '--parameters'],
    `communicationServiceName=${communicationServiceName}`,
    `storageAccountName=${env.AZURE_STORAGE_ACCOUNT_NAME}`,
    `functionAppName=${env.AZURE_FUNCTION_APP_NAME}`,
    'subscribeFunction=true',
    ...['--only-show-errors', '--output', 'none'],
  ];
}

async function main() {
  const args = deploymentArgs(process.env);
  for (let attempt = 1; ; attempt += 1) {
    try {
      // The function list of a freshly deployed app can take a moment to appear; Event Grid checks it.
      execFileSync('az', args, { stdio: 'inherit', shell: process.platform === 'win32' });
      console.log('chat events: Event Grid delivers ACS chat events to the chatEvents function');
      return;
    } catch (error) {
      if (attempt >= ATTEMPTS) throw error;
      console.log(`chat events: subscription not created yet (attempt ${attempt}/${ATTEMPTS}); retrying in 20 s`);
      await sleep(PAUSE_MS);
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`chat events: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
