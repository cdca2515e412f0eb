/**
 * Finding servers and trusting them, through `npm run web` in Chromium: a server announced on
 * this machine (mDNS on loopback only) appears in the login window, an invite link pasted into
 * it connects without a question, and a plain-only server is marked "not encrypted".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { runCli, startServerProcess, type ServerProcess } from '../../server/testkit/serverProcess.ts';
import { APP_PATH, freePort } from './helpers.ts';

const LOOPBACK_ONLY = { PARLEY_MDNS_INTERFACE: '127.0.0.1' };
const cleanups: Array<() => unknown> = [];
test.afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function server(name: string, extra: string[] = [], port = 0): Promise<ServerProcess & { fingerprint?: string }> {
  const data = mkdtempSync(join(tmpdir(), 'parley-e2e-disc-'));
  expect((await runCli(['users', 'add', 'zoe', '--data', data], 'pw\n')).code).toBe(0);
  const proc = await startServerProcess(port, ['--data', data, '--name', name, ...extra], LOOPBACK_ONLY);
  cleanups.push(async () => {
    proc.child.kill('SIGTERM');
    await proc.exited;
    rmSync(data, { recursive: true, force: true });
  });
  const fingerprint = /TLS fingerprint \(SHA-256\): (\S+)/.exec(proc.stdout())?.[1];
  return Object.assign(proc, fingerprint ? { fingerprint } : {});
}

async function freshPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  cleanups.push(() => context.close());
  const page = await context.newPage();
  await page.goto(APP_PATH);
  return page;
}

test('the login window lists a server announced on this machine; choosing it fills the form and pins its fingerprint', async ({ browser }) => {
  const lab = await server('E2E Lab');
  const page = await freshPage(browser);
  const found = page.getByRole('region', { name: 'Servers on your network' }).getByRole('button', { name: new RegExp(`E2E Lab .*:${lab.port}`) });
  await expect(found).toBeVisible({ timeout: 15_000 });
  await found.click();
  await expect(page.getByLabel('Port', { exact: true })).toHaveValue(String(lab.port));
  await expect(page.getByLabel('Server', { exact: true })).toHaveValue('127.0.0.1');
  await page.getByLabel('Username').fill('zoe');
  await page.getByLabel('Password').fill('pw');
  await page.getByRole('button', { name: 'Log in' }).click();
  // Pinned from the announcement: no "Trust this server?" question.
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
  await expect(page.getByText('Not encrypted')).toHaveCount(0);
});

test('an invite link pasted into the login window fills it and connects without asking', async ({ browser }) => {
  const lab = await server('Invite Lab', ['--no-announce']);
  const page = await freshPage(browser);
  const hex = lab.fingerprint!.replaceAll(':', '').toLowerCase();
  await page.getByLabel('Server', { exact: true }).fill(`parley://127.0.0.1:${lab.port}/?fp=${hex}&user=zoe`);
  await expect(page.getByLabel('Server', { exact: true })).toHaveValue('127.0.0.1');
  await expect(page.getByLabel('Port', { exact: true })).toHaveValue(String(lab.port));
  await expect(page.getByLabel('Username')).toHaveValue('zoe');
  await page.getByLabel('Password').fill('pw');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
});

test('a self-signed server is shown once with its fingerprint before the password goes to it', async ({ browser }) => {
  const lab = await server('Ask Lab', ['--no-announce']);
  const page = await freshPage(browser);
  await page.getByLabel('Server', { exact: true }).fill('127.0.0.1');
  await page.getByLabel('Port', { exact: true }).fill(String(lab.port));
  await page.getByLabel('Username').fill('zoe');
  await page.getByLabel('Password').fill('pw');
  await page.getByRole('button', { name: 'Log in' }).click();
  const prompt = page.getByRole('alertdialog', { name: 'Trust this server?' });
  await expect(prompt.getByLabel('Certificate fingerprint')).toHaveText(lab.fingerprint!);
  await prompt.getByRole('button', { name: 'Trust this server' }).click();
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
});

test('a plain-only server is marked not encrypted and gets the password only after the person confirms', async ({ browser }) => {
  const plain = await server('Plain Lab', ['--no-tls', '--no-announce']);
  const page = await freshPage(browser);
  await page.getByLabel('Server', { exact: true }).fill('127.0.0.1');
  await page.getByLabel('Port', { exact: true }).fill(String(plain.port));
  await page.getByLabel('Username').fill('zoe');
  await page.getByLabel('Password').fill('pw');
  await page.getByRole('button', { name: 'Log in' }).click();
  const prompt = page.getByRole('alertdialog');
  await expect(prompt.getByText('Not encrypted')).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeHidden();
  await prompt.getByRole('button', { name: 'Send my password unencrypted' }).click();
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
  await expect(page.getByRole('banner').getByText('Not encrypted')).toBeVisible();
});

test('a changed certificate is refused naming both fingerprints, and accepted only deliberately', async ({ browser }) => {
  const port = await freePort();
  const first = await server('First', ['--no-announce'], port);
  const page = await freshPage(browser);
  await page.getByLabel('Server', { exact: true }).fill('127.0.0.1');
  await page.getByLabel('Port', { exact: true }).fill(String(port));
  await page.getByLabel('Username').fill('zoe');
  await page.getByLabel('Password').fill('pw');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Trust this server' }).click();
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
  await page.getByRole('button', { name: 'Log out' }).click();
  // The same address, set up again: a new certificate.
  first.child.kill('SIGTERM');
  await first.exited;
  const second = await server('Second', ['--no-announce'], port);
  await page.getByLabel('Password').fill('pw');
  await page.getByRole('button', { name: 'Log in' }).click();
  const warning = page.getByRole('alertdialog', { name: "The server's certificate changed" });
  await expect(warning.getByLabel('Trusted fingerprint', { exact: true })).toHaveText(first.fingerprint!);
  await expect(warning.getByLabel('New fingerprint', { exact: true })).toHaveText(second.fingerprint!);
  const accept = warning.getByRole('button', { name: 'Accept the new certificate' });
  await expect(accept).toBeDisabled();
  await warning.getByLabel("I checked the new fingerprint with the server's host").check();
  await accept.click();
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
});
