export default async function globalTeardown(): Promise<void> {
  await globalThis.__AZURITE__?.close();
  globalThis.__AZURITE__ = undefined;
}
