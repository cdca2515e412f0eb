/**
 * Typing, mentions, the New messages divider and formatting through `npm run web` in Debian's
 * Chromium: alice and bob in two browser profiles on a test server, carol on the JSON dialect.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { JsonClient } from '../../server/testkit/lineClient.ts';
import { startTestServer, stopTestServer, type TestServer } from '../../server/testkit/testServer.ts';
import { history, joinAs, person, send } from './helpers.ts';

test.describe.configure({ mode: 'serial' });

let server: TestServer;
let alice: Page;
let bob: Page;
let carol: JsonClient;
const closers: Array<() => unknown> = [];

async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  closers.push(() => context.close());
  // A clicked link opens a tab of its own: answered here, so nothing leaves this machine.
  await context.route('https://example.org/**', (route) => route.fulfill({ contentType: 'text/plain', body: 'example' }));
  return context.newPage();
}

/** A sidebar entry by its title, whatever its badges say. */
function entry(page: Page, name: string) {
  return page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: new RegExp(`^${name}\\b`) });
}

async function shot(page: Page, info: import('@playwright/test').TestInfo, name: string): Promise<void> {
  await page.screenshot({ path: info.outputPath(`${name}.png`) });
  await info.attach(name, { path: info.outputPath(`${name}.png`), contentType: 'image/png' });
}

test.beforeAll(async () => {
  server = await startTestServer({}, { alice: 'pw', bob: 'pw', carol: 'pw' });
});

test.afterAll(async () => {
  carol?.close();
  for (const close of closers.reverse()) await close();
  await stopTestServer(server);
});

test('bob sees "alice is typing..." while she types, and it ends with her message', async ({ browser }, info) => {
  alice = await newPage(browser);
  bob = await newPage(browser);
  await joinAs(alice, server.port, 'alice');
  await joinAs(bob, server.port, 'bob');
  await person(alice, 'bob').click();
  await person(bob, 'alice').click();
  await alice.getByRole('textbox', { name: 'Message' }).pressSequentially('hello b');
  await expect(bob.getByText('alice is typing...')).toBeVisible();
  await shot(bob, info, 'typing-indicator');
  await alice.getByRole('textbox', { name: 'Message' }).press('Enter');
  await expect(history(bob).getByText('hello b')).toBeVisible();
  await expect(bob.getByText('alice is typing...')).toHaveCount(0);
});

test('a mention is counted apart while unread and highlighted once read', async ({}, info) => {
  await entry(bob, 'Everyone').click();
  await send(alice, 'hey @bob can you review this?');
  await expect(entry(bob, 'alice')).toHaveAccessibleName(/1 mention\b.*1 unread/);
  await shot(bob, info, 'mention-counted');
  await entry(bob, 'alice').click();
  const mention = history(bob).locator('.mention.me');
  await expect(mention).toHaveText('@bob');
  await expect(entry(bob, 'alice')).not.toHaveAccessibleName(/mention/);
  await shot(bob, info, 'mention-highlighted');
});

test('Mute conversation is a toggle kept per conversation (in settings, so mentions still notify)', async ({}, info) => {
  const mute = bob.getByRole('region', { name: 'Conversation: alice' }).getByRole('button', { name: 'Mute conversation' });
  await expect(mute).toHaveAttribute('aria-pressed', 'false');
  await mute.click();
  await expect(mute).toHaveAttribute('aria-pressed', 'true');
  await shot(bob, info, 'conversation-muted');
  await entry(bob, 'Everyone').click();
  await expect(bob.getByRole('region', { name: 'Conversation: Everyone' }).getByRole('button', { name: 'Mute conversation' })).toHaveAttribute('aria-pressed', 'false');
  await entry(bob, 'alice').click();
  await expect(mute).toHaveAttribute('aria-pressed', 'true');
  await mute.click();
  await expect(mute).toHaveAttribute('aria-pressed', 'false');
});

test('a conversation opened with many unread shows the New messages divider, and Jump to new messages reaches it', async ({}, info) => {
  carol = await JsonClient.login(server.port, 'carol', 'pw', '127.0.1.31');
  await carol.request({ type: 'send', to: ['bob'], text: 'an old message bob has read' });
  await expect(entry(bob, 'carol')).toBeVisible();
  await entry(bob, 'carol').click();
  await expect(history(bob).getByText('an old message bob has read')).toBeVisible();
  await entry(bob, 'Everyone').click();
  // More than one page (50) unread: the divider is not loaded when the conversation opens.
  for (let i = 1; i <= 70; i++) await carol.request({ type: 'send', to: ['bob'], text: `update ${i}` });
  await expect(entry(bob, 'carol')).toHaveAccessibleName(/70 unread/);
  await entry(bob, 'carol').click();
  await expect(history(bob).getByText('update 70')).toBeVisible();
  const divider = history(bob).getByRole('separator', { name: 'New messages' });
  await expect(divider).toHaveCount(0);
  await bob.getByRole('button', { name: 'Jump to new messages' }).click();
  await expect(divider).toBeVisible();
  await expect(history(bob).getByText('update 1', { exact: true })).toBeVisible();
  await shot(bob, info, 'new-messages-divider');
});

test('a formatted message shows bold, italic, strikethrough, code, a code block, a quote, a list and a link, and raw HTML stays text', async ({}, info) => {
  await entry(alice, 'bob').click();
  await entry(bob, 'alice').click();
  const box = alice.getByRole('textbox', { name: 'Message' });
  await box.fill('**Release** is *today*, ~~not tomorrow~~; run `npm test`\n```\nconst ok = await check();\nconsole.log(ok);\n```\n> ship it\n\n- notes\n- [changelog](https://example.org/changes)\n\n<img src=x onerror=alert(1)>');
  await box.press('Enter');
  const log = history(bob);
  await expect(log.locator('strong', { hasText: 'Release' })).toBeVisible();
  await expect(log.locator('em', { hasText: 'today' })).toBeVisible();
  await expect(log.locator('s', { hasText: 'not tomorrow' })).toBeVisible();
  await expect(log.locator('p code', { hasText: 'npm test' })).toBeVisible();
  await expect(log.locator('pre code')).toHaveText('const ok = await check();\nconsole.log(ok);');
  await expect(log.locator('blockquote', { hasText: 'ship it' })).toBeVisible();
  await expect(log.locator('li a', { hasText: 'changelog' })).toHaveAttribute('href', 'https://example.org/changes');
  await expect(log.getByText('<img src=x onerror=alert(1)>')).toBeVisible();
  await expect(log.locator('img, script, iframe')).toHaveCount(0);
  // A link goes through the app's checked call, never navigates the window.
  const url = bob.url();
  const [tab] = await Promise.all([bob.context().waitForEvent('page'), log.locator('li a', { hasText: 'changelog' }).click()]);
  expect(bob.url()).toBe(url);
  await tab.close();
  await shot(bob, info, 'formatted-message');
});
