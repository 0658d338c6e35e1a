#!/usr/bin/env node
// azd postprovision hook: writes local.settings.json so that `func start` (or
// `npm start`) runs this app against the environment azd just provisioned.
//
// It copies only endpoints and plain settings from `azd env get-values`, never a
// key or connection string: locally the app signs in with your `az login` /
// `azd auth login` identity (DefaultAzureCredential), which main.bicep grants
// the data roles it needs only when ALLOW_USER_IDENTITY_PRINCIPAL is true in the
// azd environment (off by default). local.settings.json is gitignored.
//
// Usage: node infra/hooks/write-local-settings.mjs [--values-file <dotenv>] [--out <path>]
//   --values-file  read azd values from this dotenv file instead of running azd (for tests)
//   --out          where to write (default: local.settings.json in the project root)
// Plain Node, no dependencies: it runs before `npm install` has necessarily happened.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** azd output → app setting. Required ones make the hook fail when missing. */
const REQUIRED = {
  ACS_ENDPOINT: 'ACS_ENDPOINT',
  AZURE_STORAGE_BLOB_ENDPOINT: 'AzureWebJobsStorage__blobServiceUri',
  AZURE_STORAGE_TABLE_ENDPOINT: 'AzureWebJobsStorage__tableServiceUri',
  AUTH_ISSUER: 'AUTH_ISSUER',
  AUTH_AUDIENCE: 'AUTH_AUDIENCE',
  WEBPUBSUB_ENDPOINT: 'WEBPUBSUB_ENDPOINT',
  ATTACHMENTS_BLOB_ENDPOINT: 'ATTACHMENTS_BLOB_ENDPOINT',
  CONTENT_SAFETY_ENDPOINT: 'CONTENT_SAFETY_ENDPOINT',
  // The sender address of the linked email domain (DoNotReply@<domain>); email goes through ACS_ENDPOINT.
  EMAIL_SENDER: 'EMAIL_SENDER',
};
const OPTIONAL = [
  'AUTH_JWKS_URI',
  'AUTH_ADMIN_ROLE',
  'USER_TOKEN_SCOPES',
  'THREAD_RETENTION_DAYS',
  'PRUNE_SCHEDULE',
  'FAIR_USE_THREADS_PER_HOUR',
  'FAIR_USE_NEW_IDENTITIES_PER_HOUR',
  'WEBPUBSUB_HUB',
  'ATTACHMENTS_CONTAINER',
  'APP_BASE_URL',
  'EMAIL_INCLUDE_PREVIEW',
  'TELEMETRY_INCLUDE_USER_IDS',
  'TELEMETRY_SAMPLING_RATIO',
  'TELEMETRY_TRACES_PER_SECOND',
];

/**
 * Settings that would override the deployed configuration (connection strings
 * win over endpoints in src/config.ts) or that only make sense in Azure (the
 * managed identity's client id). They are removed from an existing file.
 */
const REMOVED = [
  'AzureWebJobsStorage',
  'AzureWebJobsStorage__accountName',
  'AzureWebJobsStorage__queueServiceUri',
  'AzureWebJobsStorage__credential',
  'AzureWebJobsStorage__clientId',
  'AZURE_CLIENT_ID',
  'ACS_CONNECTION_STRING',
  'WEBPUBSUB_CONNECTION_STRING',
  'TABLES_CONNECTION_STRING',
  'TABLES_ENDPOINT',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
];

function parseArgs(argv) {
  const options = { valuesFile: undefined, out: path.join(projectRoot, 'local.settings.json') };
  for (let index = 0; index < argv.length; index += 1) {
    const flag = argv[index];
    const value = argv[index + 1];
    if ((flag === '--values-file' || flag === '--out') && value !== undefined) {
      if (flag === '--values-file') options.valuesFile = path.resolve(value);
      else options.out = path.resolve(value);
      index += 1;
    } else {
      throw new Error(`unknown argument ${flag}`);
    }
  }
  return options;
}

/** Parses azd's dotenv output: KEY="value" (Go-style escapes) or KEY=value. */
export function parseDotenv(text) {
  const values = {};
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    const [, key, rawValue] = match;
    values[key] = unquote(rawValue);
  }
  return values;
}

function unquote(raw) {
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) {
    return raw.slice(1, -1).replace(/\\(.)/g, (_, char) => ({ n: '\n', r: '\r', t: '\t' })[char] ?? char);
  }
  if (raw.length >= 2 && raw.startsWith("'") && raw.endsWith("'")) return raw.slice(1, -1);
  return raw;
}

function readAzdValues(valuesFile) {
  if (valuesFile) return parseDotenv(readFileSync(valuesFile, 'utf8'));
  const output = execFileSync('azd', ['env', 'get-values'], { encoding: 'utf8', shell: process.platform === 'win32' });
  return parseDotenv(output);
}

function readExisting(file) {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new Error(`${file} exists but is not valid JSON; fix or delete it and run the hook again`);
  }
}

function buildSettings(azdValues, existing) {
  const missing = Object.keys(REQUIRED).filter((name) => !azdValues[name]);
  if (missing.length > 0) {
    throw new Error(
      `azd environment lacks ${missing.join(', ')}; run \`azd env set\` for AUTH_* and \`azd provision\` first`,
    );
  }
  const values = { ...(existing.Values ?? {}) };
  const removed = REMOVED.filter((name) => name in values);
  for (const name of removed) delete values[name];
  values.FUNCTIONS_WORKER_RUNTIME = 'node';
  for (const [azdName, settingName] of Object.entries(REQUIRED)) values[settingName] = azdValues[azdName];
  for (const name of OPTIONAL) {
    if (azdValues[name]) values[name] = azdValues[name];
  }
  const origins = (azdValues.CORS_ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  const host = { ...(existing.Host ?? {}), ...(origins.length > 0 ? { CORS: origins.join(',') } : {}) };
  return { settings: { ...existing, IsEncrypted: false, Values: values, Host: host }, removed };
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  const azdValues = readAzdValues(options.valuesFile);
  const { settings, removed } = buildSettings(azdValues, readExisting(options.out));
  writeFileSync(options.out, `${JSON.stringify(settings, null, 2)}\n`);
  console.log(
    `Wrote ${path.relative(process.cwd(), options.out) || options.out} for azd environment ${azdValues.AZURE_ENV_NAME ?? '(unnamed)'} (no keys or connection strings).`,
  );
  if (removed.length > 0)
    console.log(`Removed settings that would override the deployed configuration: ${removed.join(', ')}`);
  console.log('Sign in with `az login` (or `azd auth login`) so DefaultAzureCredential can reach Storage and ACS.');
  if (azdValues.ALLOW_USER_IDENTITY_PRINCIPAL?.toLowerCase() !== 'true') {
    console.log(
      'Your identity has no data roles in this environment: to run locally against it, ' +
        '`azd env set ALLOW_USER_IDENTITY_PRINCIPAL true` and `azd provision` (docs/deploy.md).',
    );
  }
}

try {
  main();
} catch (error) {
  console.error(`write-local-settings: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
