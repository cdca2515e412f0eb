/**
 * Editing, deleting and reacting through `npm run web` in Debian's Chromium: two people in two
 * browser profiles on one server. Hover actions (Edit, Delete, React), the emoji picker,
 * reaction chips that toggle, "(edited)", "message deleted", and Up arrow to edit.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { startTestServer, stopTestServer, type TestServer } from '../../server/testkit/testServer.ts';
import { history, joinAs, person, send } from './helpers.ts';

test.describe.configure({ mode: 'serial' });

let server: TestServer;
let alice: Page;
let bob: Page;
const closers: Array<() => unknown> = [];

async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  closers.push(() => context.close());
  return context.newPage();
}

test.beforeAll(async () => {
  server = await startTestServer({ selfSigned: true }, { alice: 'pw', bob: 'pw' });
});

test.afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await stopTestServer(server);
});

function message(page: Page, text: string | RegExp) {
  return history(page).getByRole('article').filter({ hasText: text });
}

test('Up arrow in the empty composer edits the last own message; Enter saves, Escape cancels', async ({ browser }, info) => {
  alice = await newPage(browser);
  bob = await newPage(browser);
  await joinAs(alice, server.port, 'alice');
  await joinAs(bob, server.port, 'bob');
  await person(alice, 'bob').click();
  await send(alice, 'helo wrold');
  await person(bob, 'alice').click();
  await expect(message(bob, 'helo wrold')).toBeVisible();

  const composer = alice.getByRole('textbox', { name: 'Message' });
  await composer.press('ArrowUp');
  const editor = alice.getByRole('textbox', { name: 'Edit message' });
  await expect(editor).toBeFocused();
  await expect(editor).toHaveValue('helo wrold');
  await editor.fill('never mind');
  await editor.press('Escape');
  await expect(editor).toBeHidden();
  await expect(message(alice, 'helo wrold')).not.toContainText('(edited)');

  await composer.press('ArrowUp');
  await editor.fill('hello world');
  await editor.press('Enter');
  await expect(message(alice, 'hello world')).toContainText('(edited)');
  await expect(message(bob, 'hello world')).toContainText('(edited)');
  await expect(history(bob).getByText('helo wrold')).toHaveCount(0);
  await alice.screenshot({ path: info.outputPath('edited-message.png') });
  await info.attach('edited message', { path: info.outputPath('edited-message.png'), contentType: 'image/png' });
});

test('hover actions: Edit and Delete on one’s own message only; a deleted message shows as "message deleted" to both', async ({}, info) => {
  await send(alice, 'oops, wrong chat');
  const mine = message(alice, 'oops, wrong chat');
  await mine.hover();
  await expect(mine.getByRole('button', { name: 'Edit' })).toBeVisible();
  await expect(mine.getByRole('button', { name: 'React' })).toBeVisible();
  await mine.hover();
  await mine.getByRole('button', { name: 'Delete' }).click();
  await expect(message(alice, 'message deleted')).toBeVisible();
  await expect(message(bob, 'message deleted')).toBeVisible();
  await expect(history(bob).getByText('oops, wrong chat')).toHaveCount(0);

  // Someone else's message offers React, never Edit or Delete.
  const theirs = message(bob, 'hello world');
  await theirs.hover();
  await expect(theirs.getByRole('button', { name: 'React' })).toBeVisible();
  await expect(theirs.getByRole('button', { name: 'Edit' })).toHaveCount(0);
  await expect(theirs.getByRole('button', { name: 'Delete' })).toHaveCount(0);
  await bob.screenshot({ path: info.outputPath('deleted-message.png') });
  await info.attach('deleted message', { path: info.outputPath('deleted-message.png'), contentType: 'image/png' });
});

test('React opens a picker of common emoji; chips show the count, who in the title, and a click toggles one’s own', async ({}, info) => {
  const theirs = message(bob, 'hello world');
  await theirs.hover();
  await theirs.getByRole('button', { name: 'React' }).click();
  await bob.getByRole('group', { name: 'Pick a reaction' }).getByRole('button', { name: '👍' }).click();
  const chip = (page: Page) => message(page, 'hello world').getByRole('button', { name: /^👍\s*\d+$/ });
  await expect(chip(alice)).toHaveText(/👍\s*1/);
  await expect(chip(alice)).toHaveAttribute('title', 'Bob reacted with 👍');
  await expect(chip(alice)).toHaveAttribute('aria-pressed', 'false');

  await chip(alice).click();
  await expect(chip(alice)).toHaveText(/👍\s*2/);
  await expect(chip(alice)).toHaveAttribute('aria-pressed', 'true');
  await expect(chip(bob)).toHaveAttribute('title', 'You and alice reacted with 👍');
  await alice.screenshot({ path: info.outputPath('reactions.png') });
  await info.attach('reactions', { path: info.outputPath('reactions.png'), contentType: 'image/png' });

  await chip(alice).click();
  await expect(chip(alice)).toHaveText(/👍\s*1/);
  await chip(bob).click();
  await expect(message(alice, 'hello world').getByRole('button', { name: /👍/ })).toHaveCount(0);
});

test('history after a reload carries the edit, the deletion and the reactions', async () => {
  const theirs = message(bob, 'hello world');
  await theirs.hover();
  await theirs.getByRole('button', { name: 'React' }).click();
  await bob.getByRole('group', { name: 'Pick a reaction' }).getByRole('button', { name: '🎉' }).click();
  await expect(message(alice, 'hello world').getByRole('button', { name: /🎉/ })).toBeVisible();
  await alice.reload();
  await person(alice, 'bob').click();
  await expect(message(alice, 'hello world')).toContainText('(edited)');
  await expect(message(alice, 'hello world').getByRole('button', { name: /🎉\s*1/ })).toBeVisible();
  await expect(message(alice, 'message deleted')).toBeVisible();
});
