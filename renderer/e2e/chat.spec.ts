/**
 * Two people in two browser profiles, a hosted server, and a third person on `nc`: the whole
 * app through `npm run web` in Debian's Chromium.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { JsonClient, TextClient } from '../../server/testkit/lineClient.ts';
import { APP_PATH, conversation, fillLogin, freePort, history, joinAs, person, send } from './helpers.ts';

test.describe.configure({ mode: 'serial' });

let port = 0;
let alice: Page;
let bob: Page;
const closers: Array<() => unknown> = [];

async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  closers.push(() => context.close());
  return context.newPage();
}

test.afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

test('the host starts a server from the login window and creates the first account', async ({ browser }, info) => {
  port = await freePort();
  alice = await newPage(browser);
  await alice.goto(APP_PATH);
  await expect(alice.getByRole('button', { name: 'Log in' })).toBeVisible();
  await alice.screenshot({ path: info.outputPath('login-window.png') });
  await info.attach('login window', { path: info.outputPath('login-window.png'), contentType: 'image/png' });

  await alice.getByRole('button', { name: 'Host a server on this computer' }).click();
  // Hosting for the network says it is announced and encrypted for apps; "only this computer" binds loopback.
  await expect(alice.getByRole('note').getByText(/connect with TLS/)).toBeVisible();
  await alice.getByLabel('Only this computer').check();
  await expect(alice.getByRole('note').getByText(/listens on 127\.0\.0\.1/)).toBeVisible();
  await alice.getByLabel('Port', { exact: true }).fill(String(port));
  await alice.getByLabel('Username').fill('alice');
  await alice.getByLabel('Password').fill('alice-pw');
  await alice.getByRole('button', { name: 'Log in' }).click();
  await expect(alice.getByRole('textbox', { name: 'Message' })).toBeVisible();
  await expect(alice.getByText(`127.0.0.1:${port}`)).toBeVisible();

  // Accounts for the others, through Manage users.
  await alice.getByRole('button', { name: 'Manage users' }).click();
  for (const user of ['bob', 'carol', 'dave', 'erin', 'mallory']) {
    await alice.getByLabel('New username').fill(user);
    await alice.getByLabel("New user's password").fill('pw');
    await alice.getByRole('button', { name: 'Add user' }).click();
    await expect(alice.getByRole('status').filter({ hasText: `Added ${user}.` })).toBeVisible();
  }
  await alice.getByRole('button', { name: 'Close' }).click();
});

test('a second user joins and both see presence change', async ({ browser }) => {
  bob = await newPage(browser);
  await joinAs(bob, port, 'bob');
  await expect(person(alice, 'bob')).toBeVisible();
  await expect(alice.locator('#presence-bob')).toHaveText('online');
  await expect(bob.locator('#presence-alice')).toHaveText('online');
  await expect(alice.locator('#presence-carol')).toHaveText(/offline/);
});

test('direct messages arrive with an unread count and open in their conversation', async () => {
  await person(bob, 'alice').click();
  await send(bob, 'hi alice, direct');
  await expect(history(bob).getByText('hi alice, direct')).toBeVisible();
  await expect(conversation(alice, 'bob')).toContainText('1');
  await conversation(alice, 'bob').click();
  await expect(history(alice).getByText('hi alice, direct')).toBeVisible();
  await send(alice, 'hi bob');
  await expect(history(bob).getByText('hi bob')).toBeVisible();
});

test('a group chat reaches its members, and says when one is offline', async () => {
  await alice.getByRole('button', { name: 'New group chat' }).click();
  await alice.getByRole('checkbox', { name: 'bob' }).check();
  await alice.getByRole('checkbox', { name: 'carol' }).check();
  await alice.getByRole('button', { name: 'Start chat' }).click();
  await send(alice, 'group hello');
  await expect(history(alice).getByText('carol is offline: will be delivered when they log in')).toBeVisible();
  await conversation(bob, 'alice, carol').click();
  await expect(history(bob).getByText('group hello')).toBeVisible();
});

test('a broadcast goes to everyone', async () => {
  await conversation(bob, 'Everyone').click();
  await send(bob, 'hello all');
  await conversation(alice, 'Everyone').click();
  await expect(history(alice).getByText('hello all')).toBeVisible();
});

test('away from the status menu: banner, presence, and the auto-reply; sending ends it', async () => {
  await bob.getByRole('button', { name: 'Status' }).click();
  await bob.getByRole('menuitem', { name: 'Away' }).click();
  await expect(bob.getByText('You are away: I am away - sending a message will end it.')).toBeVisible();
  await expect(alice.locator('#presence-bob')).toHaveText('away: I am away');

  await conversation(alice, 'bob').click();
  await send(alice, 'are you there?');
  await expect(history(alice).getByText('bob is away: I am away')).toBeVisible();

  await bob.getByRole('button', { name: 'Status' }).click();
  await bob.getByRole('menuitem', { name: 'Custom message...' }).click();
  await bob.getByRole('textbox', { name: 'Away text' }).fill('in the lab');
  await bob.getByRole('button', { name: 'Set away' }).click();
  await expect(alice.locator('#presence-bob')).toHaveText('away: in the lab');

  await conversation(bob, 'alice').click();
  await send(bob, 'back now');
  await expect(bob.getByText('You are away')).toBeHidden();
  await expect(alice.locator('#presence-bob')).toHaveText('online');
});

test('a person using nc takes part in a conversation', async ({}, info) => {
  const dave = await TextClient.login(port, 'dave', 'pw');
  closers.push(() => dave.close());
  dave.send('send alice hello from the terminal');
  await conversation(alice, 'dave').click();
  await expect(history(alice).getByText('hello from the terminal')).toBeVisible();
  await send(alice, 'hello nc user');
  await dave.expect('alice: hello nc user');
  await alice.screenshot({ path: info.outputPath('chat-window.png') });
  await info.attach('chat window', { path: info.outputPath('chat-window.png'), contentType: 'image/png' });
});

test('three wrong passwords block the username, with a live countdown', async ({ browser }) => {
  const page = await newPage(browser);
  await page.goto(APP_PATH);
  await fillLogin(page, '127.0.0.1', port, 'mallory', 'wrong');
  await expect(page.getByRole('alert')).toHaveText('Wrong username or password. 2 attempts left before this username is blocked for a while.');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toContainText('1 attempt left');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toContainText(/Wrong username or password|blocked/);
  await page.getByLabel('Password').fill('pw');
  await page.getByRole('button', { name: 'Log in' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('mallory is blocked from this computer. Try again in');
  const seconds = async () => Number(/in (\d+) s/.exec((await alert.textContent()) ?? '')?.[1]);
  const first = await seconds();
  expect(first).toBeGreaterThan(0);
  await expect.poll(seconds, { timeout: 5_000 }).toBeLessThan(first);
});

test('a message written while the server is down is sent once after the restart', async () => {
  await conversation(bob, 'alice').click();
  await alice.getByRole('button', { name: 'Stop hosting' }).click();
  await expect(bob.getByText(/Reconnecting/)).toBeVisible();
  await send(bob, 'written while down');
  await expect(history(bob).getByText('Pending: will be sent when the connection is back')).toBeVisible();

  await alice.getByRole('button', { name: 'Host server' }).click();
  await alice.getByLabel('Port to host on').fill(String(port));
  await expect(alice.getByRole('dialog').getByText(/connect with TLS/)).toBeVisible();
  await alice.getByRole('button', { name: 'Start hosting' }).click();
  await expect(alice.getByRole('button', { name: `Copy 127.0.0.1:${port}` })).toBeVisible();
  // The host can read the fingerprint out, and share an invite link that carries it.
  await expect(alice.getByRole('dialog').getByLabel('Certificate fingerprint')).toHaveText(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  await expect(alice.getByRole('dialog').getByRole('button', { name: 'Copy invite link' })).toBeVisible();
  await alice.getByRole('button', { name: 'Done' }).click();
  await expect(bob.getByText(/Reconnecting/)).toBeHidden({ timeout: 20_000 });
  await expect(history(bob).getByText('Pending: will be sent when the connection is back')).toBeHidden();
  await conversation(alice, 'bob').click();
  await expect(history(alice).getByText('written while down')).toHaveCount(1);
  await expect(history(bob).getByText('written while down')).toHaveCount(1);
});

test('a long history pages back on scroll', async () => {
  const erin = await JsonClient.login(port, 'erin', 'pw');
  closers.push(() => erin.close());
  const total = 240;
  for (let i = 1; i <= total; i++) await erin.request({ type: 'send', to: ['alice'], text: `long message ${i}` });
  await conversation(alice, 'erin').click();
  const log = history(alice);
  await expect(log.getByText(`long message ${total}`, { exact: true })).toBeVisible();
  await expect(log.getByText('long message 1', { exact: true })).toHaveCount(0);
  // Scroll to the top until the first message has been paged in.
  await expect
    .poll(
      async () => {
        await log.locator('div').first().evaluate((el) => el.scrollTo(0, 0));
        return log.getByText('long message 1', { exact: true }).count();
      },
      { timeout: 30_000 },
    )
    .toBe(1);
});
