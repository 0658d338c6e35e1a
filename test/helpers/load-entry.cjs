// `node test/helpers/load-entry.cjs <entry> [functionName | --services]`: loads a built entry point the way the Azure
// Functions Node.js worker does, in this fresh process, and prints one JSON line: the functions it registered, how
// long the load took and the process's memory after it. With a function name, that function's handler is also called
// once with a GET request and its response printed (handlers that need no services, e.g. openApi), with how long the
// call took (`invokeMs`: with telemetry on, the first invocation waits for the telemetry SDK) and the memory after it.
// With --services, the bundle's composition chunk (the Azure SDK clients, which the first invocation that needs them
// loads) is imported after the entry and its time reported as `servicesMs`.
//
// Like the worker (azure-functions-nodejs-worker, src/setupCoreModule.ts), it answers require('@azure/functions-core')
// with the host API, here a recorder; .mjs files are imported, others required (src/loadScriptFile.ts).
// Plain CommonJS so that no TypeScript loader hooks sit in the measured import.
'use strict';
const Module = require('node:module');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const registered = [];
const coreApi = {
  version: '3.10.1',
  hostVersion: '4.1040.0',
  setProgrammingModel() {},
  getProgrammingModel() {},
  registerHook: () => ({ dispose() {} }),
  registerFunction(metadata, callback) {
    registered.push({ metadata, callback });
    return { dispose() {} };
  },
  log() {},
  Disposable: class {},
};
Module.prototype.require = new Proxy(Module.prototype.require, {
  apply(target, thisArg, args) {
    return args[0] === '@azure/functions-core' ? coreApi : Reflect.apply(target, thisArg, args);
  },
});

async function main() {
  const [entry, invoke] = process.argv.slice(2);
  const file = path.resolve(entry);
  const started = performance.now();
  if (file.endsWith('.mjs')) await import(pathToFileURL(file).href);
  else require(file);
  const importMs = performance.now() - started;
  const { rss, heapUsed } = process.memoryUsage();
  const result = {
    importMs,
    rssBytes: rss,
    heapUsedBytes: heapUsed,
    functions: registered.map(({ metadata, callback }) => ({
      name: metadata.name,
      bindings: Object.values(metadata.bindings),
      handler: typeof callback,
    })),
  };
  if (invoke === '--services') {
    const chunks = path.join(path.dirname(file), 'chunks');
    const composition = require('node:fs')
      .readdirSync(chunks)
      .find((name) => name.startsWith('composition-') && name.endsWith('.mjs'));
    if (!composition) throw new Error(`no composition chunk in ${chunks}`);
    const loading = performance.now();
    await import(pathToFileURL(path.join(chunks, composition)).href);
    result.servicesMs = performance.now() - loading;
    result.rssBytes = process.memoryUsage().rss;
  } else if (invoke) {
    const target = registered.find(({ metadata }) => metadata.name === invoke);
    if (!target) throw new Error(`no function named ${invoke}`);
    const context = { invocationId: 'load-entry', functionName: invoke, log() {}, warn() {}, error() {} };
    const invoking = performance.now();
    result.response = await target.callback({ method: 'GET', headers: new Headers() }, context);
    result.invokeMs = performance.now() - invoking;
    result.rssBytes = process.memoryUsage().rss;
  }
  console.log(JSON.stringify(result));
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
