/**
 * Channels and guests through `npm run web` in Debian's Chromium: the host lets people join
 * without an account, creates #lab (and operates it); a second profile joins it, may not set the
 * locked topic, the operator does, both chat, one leaves; a guest logs in without a password and
 * talks in #lab, marked as a guest among its members.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { APP_PATH, freePort, history, joinAs, person, send } from './helpers.ts';

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

function channelsNav(page: Page) {
  return page.getByRole('navigation', { name: 'Channels' });
}

function pane(page: Page, title: string) {
  return page.getByRole('region', { name: `Conversation: ${title}` });
}

test('the host lets people join without an account and creates #lab', async ({ browser }, info) => {
  port = await freePort();
  alice = await newPage(browser);
  await alice.goto(APP_PATH);
  await alice.getByRole('button', { name: 'Host a server on this computer' }).click();
  await alice.getByLabel('Only this computer').check();
  await alice.getByLabel('Let people join without an account').check();
  await alice.getByLabel('Port', { exact: true }).fill(String(port));
  await alice.getByLabel('Username').fill('alice');
  await alice.getByLabel('Password').fill('alice-pw');
  await alice.getByRole('button', { name: 'Log in' }).click();
  await expect(alice.getByRole('textbox', { name: 'Message' })).toBeVisible();

  await alice.getByRole('button', { name: 'Manage users' }).click();
  await alice.getByLabel('New username').fill('bob');
  await alice.getByLabel("New user's password").fill('pw');
  await alice.getByRole('button', { name: 'Add user' }).click();
  await expect(alice.getByRole('status').filter({ hasText: 'Added bob.' })).toBeVisible();
  await alice.getByRole('button', { name: 'Close' }).click();

  // A name that is no channel name is refused in words; #Lab is stored as #lab.
  await alice.getByLabel('Channel name').fill('no spaces');
  await alice.getByRole('button', { name: 'Join or create' }).click();
  await expect(alice.getByRole('alert').filter({ hasText: /1 to 32/ })).toBeVisible();
  await alice.getByRole('button', { name: 'Dismiss' }).click();
  await alice.getByLabel('Channel name').fill('#Lab');
  await alice.getByRole('button', { name: 'Join or create' }).click();
  await expect(pane(alice, '#lab').getByRole('heading', { name: '#lab' })).toBeVisible();
  await expect(channelsNav(alice).getByRole('button', { name: '#lab' })).toHaveAttribute('aria-current', 'true');
  await expect(history(alice).getByRole('note').filter({ hasText: 'You joined #lab' })).toBeVisible();
  await expect(pane(alice, '#lab').getByText('No topic yet.', { exact: true })).toBeVisible();
});

test('a second user browses channels, joins #lab; only its operator sets the topic', async ({ browser }) => {
  bob = await newPage(browser);
  await joinAs(bob, port, 'bob');
  await channelsNav(bob).getByRole('button', { name: 'Browse channels' }).click();
  await expect(channelsNav(bob).getByRole('region', { name: 'Other channels' })).toContainText('#lab');
  await channelsNav(bob).getByRole('button', { name: 'Join #lab' }).click();
  await expect(pane(bob, '#lab').getByRole('heading', { name: '#lab' })).toBeVisible();
  await expect(history(alice).getByRole('note').filter({ hasText: 'bob joined #lab' })).toBeVisible();

  // A new channel's topic is locked (+t): bob is no operator of alice's #lab.
  await pane(bob, '#lab').getByRole('button', { name: 'Edit topic' }).click();
  await bob.getByLabel('Topic of #lab').fill('Mine now');
  await bob.getByRole('button', { name: 'Save topic' }).click();
  await expect(bob.getByRole('alert').filter({ hasText: 'Only operators set the topic of #lab' })).toBeVisible();
  await bob.getByRole('button', { name: 'Dismiss' }).click();
  await bob.getByRole('button', { name: 'Cancel' }).click();

  await pane(alice, '#lab').getByRole('button', { name: 'Edit topic' }).click();
  await alice.getByLabel('Topic of #lab').fill('Robots and coffee');
  await alice.getByRole('button', { name: 'Save topic' }).click();
  await expect(pane(alice, '#lab').getByText('Robots and coffee', { exact: true })).toBeVisible();
  await expect(pane(bob, '#lab').getByText('Robots and coffee', { exact: true })).toBeVisible();
  await expect(history(bob).getByRole('note').filter({ hasText: 'alice set the topic of #lab: Robots and coffee' })).toBeVisible();
});

test('both chat in #lab and see its members', async ({}, info) => {
  await send(alice, 'hello lab');
  await expect(history(bob).getByText('hello lab')).toBeVisible();
  await send(bob, 'hi alice, from the lab');
  await expect(history(alice).getByText('hi alice, from the lab')).toBeVisible();

  await pane(alice, '#lab').getByRole('button', { name: 'Members (2)' }).click();
  const members = alice.getByRole('list', { name: 'Members of #lab' });
  await expect(members.getByRole('listitem')).toHaveCount(2);
  // The creator is marked as the operator; bob is not.
  await expect(members.getByRole('listitem').filter({ hasText: 'alice' })).toContainText('operator');
  await expect(members.getByRole('listitem').filter({ hasText: 'bob' })).not.toContainText('operator');
  await alice.screenshot({ path: info.outputPath('channel-window.png') });
  await info.attach('channel window', { path: info.outputPath('channel-window.png'), contentType: 'image/png' });

  // Away from #lab, a new message there shows as unread on its entry.
  await alice.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: /^Everyone/ }).click();
  await send(bob, 'are you there?');
  await expect(channelsNav(alice).getByRole('button', { name: /#lab\s+1\s+unread/ })).toBeVisible();
  await channelsNav(alice).getByRole('button', { name: /#lab/ }).click();
  await expect(history(alice).getByText('are you there?')).toBeVisible();
  await expect(channelsNav(alice).getByRole('button', { name: '#lab', exact: true })).toBeVisible();
});

test('one leaves #lab: the others see it, and the channel can be joined again from the list', async () => {
  await pane(bob, '#lab').getByRole('button', { name: 'Leave #lab' }).click();
  await expect(pane(bob, 'Everyone')).toBeVisible();
  await expect(channelsNav(bob).getByRole('button', { name: /^#lab/ })).toHaveCount(0);
  await expect(history(alice).getByRole('note').filter({ hasText: 'bob left #lab' })).toBeVisible();
  await expect(pane(alice, '#lab').getByRole('button', { name: 'Members (1)' })).toBeVisible();
  // The list bob opened before offers #lab again.
  await expect(channelsNav(bob).getByRole('button', { name: 'Join #lab' })).toBeVisible();
});

test('a guest logs in without a password, is shown as a guest, and talks in #lab', async ({ browser }, info) => {
  const guest = await newPage(browser);
  await guest.goto(APP_PATH);
  await guest.getByLabel('Join as a guest').check();
  await expect(guest.getByLabel('Password')).toHaveCount(0);
  await guest.getByLabel('Server', { exact: true }).fill('127.0.0.1');
  await guest.getByLabel('Port', { exact: true }).fill(String(port));
  // An account's name is not free for a guest.
  await guest.getByLabel('Guest name').fill('bob');
  await guest.getByRole('button', { name: 'Join as guest' }).click();
  // The first time this profile meets the host's self-signed server, as for an account.
  await guest.getByRole('button', { name: 'Trust this server' }).click();
  await expect(guest.getByRole('alert').filter({ hasText: 'The name bob is taken' })).toBeVisible();
  await guest.getByLabel('Guest name').fill('visitor');
  await guest.screenshot({ path: info.outputPath('guest-login.png') });
  await info.attach('guest login', { path: info.outputPath('guest-login.png'), contentType: 'image/png' });
  await guest.getByRole('button', { name: 'Join as guest' }).click();
  await expect(guest.getByRole('textbox', { name: 'Message' })).toBeVisible();
  await expect(guest.getByText('visitor (guest)')).toBeVisible();

  await expect(person(alice, 'visitor')).toBeVisible();
  await expect(alice.locator('#presence-visitor')).toHaveText('guest, online');

  await guest.getByLabel('Channel name').fill('lab');
  await guest.getByRole('button', { name: 'Join or create' }).click();
  await expect(pane(guest, '#lab').getByText('Robots and coffee', { exact: true })).toBeVisible();
  await send(guest, 'hello from a guest');
  await expect(history(alice).getByText('hello from a guest')).toBeVisible();
  await expect(history(alice).getByRole('note').filter({ hasText: 'visitor joined #lab' })).toBeVisible();
  // Among #lab's members the guest is marked as a guest.
  await pane(guest, '#lab').getByRole('button', { name: /^Members/ }).click();
  await expect(guest.getByRole('list', { name: 'Members of #lab' }).getByRole('listitem').filter({ hasText: 'visitor' })).toContainText('guest, online');

  // A guest who leaves is gone from People: the name is free again.
  await guest.getByRole('button', { name: 'Log out' }).click();
  await expect(guest.getByRole('button', { name: 'Log in' })).toBeVisible();
  await expect(person(alice, 'visitor')).toHaveCount(0);
});
