#!/usr/bin/env node
// azd postdeploy hook: subscribes the chatEvents function to ACS chat events (Event Grid system topic → function,
// endpointType AzureFunction). Event Grid refuses that subscription until the function exists, which is only after
// `azd deploy`, so `azd up` provisions the topic, deploys the code, and then this hook adds the subscription.
// It needs nothing but azd: it signs in with `azd auth login`'s credential (`azd auth token`) and calls the ARM REST
// API in the environment's subscription. It waits (up to --index-timeout) for the app to index the function, fails at
// once with what to do on any other error, and changes nothing when the subscription is already as
// infra/app/eventgrid.bicep defines it. The work is in chat-events-subscription.mjs.
//
// Usage: node infra/hooks/subscribe-chat-events.mjs [--index-timeout <seconds>] [--poll-interval <seconds>]
//                                                   [--arm-endpoint <url>]
//   --index-timeout  how long to wait for the function to be indexed (default 600)
//   --poll-interval  pause between checks (default 10)
//   --arm-endpoint   Resource Manager to call (default https://management.azure.com; tests point it at a fake)
// Run by azd, it reads the azd environment from its own environment variables; run by hand (from anywhere), it asks
// `azd env get-values` in this project. `azd hooks run postdeploy` runs it as azd would.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  ARM_ENDPOINT,
  armClient,
  azdEnvironmentValues,
  azdTokenSource,
  DEFAULT_TIMING,
  HookError,
  readSettings,
  subscribeChatEvents,
} from './chat-events-subscription.mjs';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function parseArgs(argv) {
  const options = { armEndpoint: ARM_ENDPOINT, timing: { ...DEFAULT_TIMING } };
  for (let index = 0; index < argv.length; index += 2) {
    const [flag, value] = [argv[index], argv[index + 1]];
    if (value === undefined) throw new HookError(`${flag} needs a value`);
    if (flag === '--arm-endpoint') options.armEndpoint = value;
    else if (flag === '--index-timeout') options.timing.indexTimeoutMs = secondsToMs(flag, value);
    else if (flag === '--poll-interval') options.timing.pollIntervalMs = secondsToMs(flag, value);
    else throw new HookError(`unknown argument ${flag}`);
  }
  return options;
}

function secondsToMs(flag, value) {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0) throw new HookError(`${flag} takes a number of seconds, not ${value}`);
  return seconds * 1000;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const settings = readSettings(await azdEnvironmentValues(process.env, projectRoot));
  const arm = armClient({ endpoint: options.armEndpoint, getToken: azdTokenSource({ cwd: projectRoot }) });
  await subscribeChatEvents({ settings, arm, timing: options.timing });
}

main().catch((error) => {
  console.error(`chat events: ${error instanceof HookError ? error.message : (error?.stack ?? String(error))}`);
  process.exitCode = 1;
});
