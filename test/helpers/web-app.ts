import type { Locator, Page } from 'playwright-core';

/**
 * Signs `userId` in on the web app's dev sign-in page (with the admin role when `admin` is set, and with `email` as the
 * token's `email` claim when given), and waits for the chat (and, with `connection`, for the header to show that
 * connection state: `Live`, or `No live connection` when the page polls).
 */
export async function signInAs(
  page: Page,
  origin: string,
  user: {
    userId: string;
    displayName: string;
    connection?: 'Live' | 'No live connection';
    admin?: boolean;
    email?: string;
  },
): Promise<void> {
  await page.goto(origin);
  await page.getByLabel('User name').fill(user.userId);
  await page.getByLabel('Display name').fill(user.displayName);
  if (user.email) await page.getByLabel(/^Email/).fill(user.email);
  if (user.admin) await page.getByLabel(/^Admin/).check();
  await page.getByLabel('Display name').press('Enter');
  await page.getByRole('heading', { name: `ACS chat · ${user.displayName}` }).waitFor();
  if (user.connection) await page.getByRole('status', { name: 'Connection' }).getByText(user.connection).waitFor();
}

/**
 * Waits for `locator` (to be visible, or `detached`); failing, says what the user should have seen and what their page
 * shows instead (and, with `serverSide`, what the backend did meanwhile).
 */
export async function see(
  page: Page,
  what: string,
  locator: Locator,
  state: 'visible' | 'detached' = 'visible',
  serverSide?: () => string,
): Promise<void> {
  try {
    await locator.waitFor({ state });
  } catch (error) {
    const shown = await page
      .locator('body')
      .innerText()
      .catch(() => '(unreadable)');
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    const backend = serverSide ? `\n${serverSide()}` : '';
    throw new Error(`Expected ${what}, in vain (${reason}).${backend} The page shows:\n${shown.slice(0, 3000)}`, {
      cause: error,
    });
  }
}
