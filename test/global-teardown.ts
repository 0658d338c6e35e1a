export default async function globalTeardown(): Promise<void> {
  await globalThis.__AZURITE__?.close();
  globalThis.__AZURITE__ = undefined;
  await globalThis.__AZURITE_BLOB__?.close();
  globalThis.__AZURITE_BLOB__ = undefined;
}
