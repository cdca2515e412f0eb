/** Steps the end-to-end specs share: log in through the UI, find a free port. */
import { createServer } from 'node:net';
import { expect, type Page } from '@playwright/test';

/** The address `npm run web` prints: its launch key buys the page's session cookie (playwright.config.ts picks the key). */
export const APP_PATH = `/?key=${process.env.PARLEY_E2E_KEY ?? ''}`;

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

export async function fillLogin(page: Page, server: string, port: number, user: string, password: string): Promise<void> {
  await page.getByLabel('Server', { exact: true }).fill(server);
  await page.getByLabel('Port', { exact: true }).fill(String(port));
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill(password);
  await logInTrusting(page);
}

/**
 * Clicks Log in and answers "Trust this server?" when the app asks (the first time this browser
 * profile meets a self-signed server), as a person who compared the fingerprint would.
 */
export async function logInTrusting(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Log in' }).click();
  const trust = page.getByRole('button', { name: 'Trust this server' });
  await expect(trust.or(page.getByRole('textbox', { name: 'Message' })).or(page.getByRole('alert'))).toBeVisible();
  if (await trust.isVisible()) await trust.click();
}

export async function joinAs(page: Page, port: number, user: string, password = 'pw'): Promise<void> {
  await page.goto(APP_PATH);
  await fillLogin(page, '127.0.0.1', port, user, password);
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
}

/** The sidebar's conversation entry with this name. */
export function conversation(page: Page, name: string) {
  return page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: new RegExp(`^${name}(\\s+\\d+\\s+unread)?$`) });
}

export function person(page: Page, name: string) {
  return page.getByRole('region', { name: 'People' }).getByRole('button', { name, exact: true });
}

export async function send(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
}

export function history(page: Page) {
  return page.getByRole('log', { name: 'Conversation history' });
}
