/**
 * A host who started the server from the login window (the README's first way) can read its
 * certificate's fingerprint out to someone comparing it: shown in the chat window while hosting,
 * not only as a tooltip, and the same one a TLS client sees on that port.
 */
import { connect } from 'node:tls';
import { expect, test } from '@playwright/test';
import { APP_PATH, freePort } from './helpers.ts';

/** The SHA-256 fingerprint a TLS client meets on the port, as `AB:CD:...`. */
function presented(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(s.getPeerX509Certificate()!.fingerprint256);
      s.destroy();
    });
    s.once('error', reject);
  });
}

test('hosting from the login window shows the fingerprint in the chat window', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const port = await freePort();
  await page.goto(APP_PATH);
  await page.getByRole('button', { name: 'Host a server on this computer' }).click();
  await page.getByLabel('Only this computer').check();
  await page.getByLabel('Port', { exact: true }).fill(String(port));
  await page.getByLabel('Username').fill('host');
  await page.getByLabel('Password').fill('host-pw');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();

  await page.getByRole('banner').getByText('Fingerprint', { exact: true }).click();
  const shown = page.getByRole('banner').getByLabel('Certificate fingerprint');
  await expect(shown).toBeVisible();
  await expect(shown).toHaveText(await presented(port));
  await page.getByRole('button', { name: 'Stop hosting' }).click();
  await expect(page.getByRole('button', { name: 'Host server' })).toBeVisible();
  await context.close();
});
