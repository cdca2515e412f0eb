/**
 * The hover actions (React, Edit, Delete) by keyboard alone: Tab reaches them (they show while a
 * message holds the focus), and a reaction can be given without a mouse.
 */
import { expect, test } from '@playwright/test';
import { JsonClient } from '../../server/testkit/lineClient.ts';
import { startTestServer, stopTestServer, type TestServer } from '../../server/testkit/testServer.ts';
import { history, joinAs, person } from './helpers.ts';

let server: TestServer;
let alice: JsonClient | undefined;

test.beforeAll(async () => {
  server = await startTestServer({}, { alice: 'pw', bob: 'pw' });
});

test.afterAll(async () => {
  alice?.close();
  await stopTestServer(server);
});

test('Tab reaches a message’s React button, which shows while focused, and Enter reacts', async ({ browser }) => {
  const context = await browser.newContext();
  const bob = await context.newPage();
  await joinAs(bob, server.port, 'bob');
  alice = await JsonClient.login(server.port, 'alice', 'pw', '127.0.1.51');
  await alice.request({ type: 'send', to: ['bob'], text: 'lunch at noon?' });
  await person(bob, 'alice').click();
  const theirs = history(bob).getByRole('article', { name: 'Message from alice' });
  await expect(theirs).toBeVisible();

  await bob.getByRole('button', { name: 'Mute conversation' }).focus();
  let reached = false;
  for (let i = 0; i < 15 && !reached; i++) {
    await bob.keyboard.press('Tab');
    reached = await bob.evaluate(() => document.activeElement?.getAttribute('aria-label') === 'React');
  }
  expect(reached).toBe(true);
  const react = theirs.getByRole('button', { name: 'React' });
  await expect(react).toBeFocused();
  expect(await react.evaluate((b) => getComputedStyle(b.parentElement!).opacity)).toBe('1');
  await bob.keyboard.press('Enter');
  await bob.keyboard.press('Tab');
  const emoji = await bob.evaluate(() => document.activeElement?.textContent ?? '');
  await bob.keyboard.press('Enter');
  await expect(theirs.getByRole('button', { name: new RegExp(emoji) })).toBeVisible();
  await expect.poll(async () => (await alice!.request({ type: 'history', conversation: 'direct:alice,bob' })).messages[0].reactions).toEqual([{ emoji, users: ['bob'] }]);
  await context.close();
});
