/**
 * Every port setting of `npm run dev` (dev/stack.ts) at 0, any free port: for a stack started beside others (tests,
 * benchmarks). A service added to the dev stack adds its port here.
 */
export const ANY_FREE_PORTS = {
  DEV_PORT: '0',
  DEV_TABLES_PORT: '0',
  DEV_ACS_PORT: '0',
  DEV_WEBPUBSUB_PORT: '0',
  DEV_BLOB_PORT: '0',
  DEV_CONTENT_SAFETY_PORT: '0',
} as const;
