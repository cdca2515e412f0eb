/**
 * Search through `npm run web` in Debian's Chromium: Ctrl+K focuses "Search messages", results
 * show the snippet with the words highlighted (a message written as HTML stays text), only from
 * the user's own conversations, and choosing one opens its conversation at that message, far
 * back in a long history, highlighted.
 */
import { expect, test } from '@playwright/test';
import { JsonClient } from '../../server/testkit/lineClient.ts';
import { startTestServer, stopTestServer, type TestServer } from '../../server/testkit/testServer.ts';
import { history, joinAs } from './helpers.ts';

let server: TestServer | undefined;
const closers: Array<() => unknown> = [];
test.afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await stopTestServer(server);
});

test('Ctrl+K searches the messages one can see and opens a result at that message', async ({ page }, info) => {
  server = await startTestServer({ selfSigned: true }, { alice: 'pw', bob: 'pw', carol: 'pw' });
  const bob = await JsonClient.login(server.port, 'bob', 'pw', '127.0.1.21');
  closers.push(() => bob.close());
  // The message to find, then a long history after it: opening it needs the page around it.
  await bob.request({ type: 'send', to: ['alice'], text: 'the blue heron landed on the pier' });
  await bob.request({ type: 'send', to: ['alice'], text: '<img src=x onerror="window.__pwned=1"> heron <b>bold</b>' });
  for (let i = 1; i <= 150; i++) await bob.request({ type: 'send', to: ['alice'], text: `later message ${i}` });
  // Not alice's conversation: never among her results.
  await bob.request({ type: 'send', to: ['carol'], text: 'a secret heron for carol' });

  await joinAs(page, server.port, 'alice');
  const field = page.getByRole('searchbox', { name: 'Search messages' });
  await page.getByRole('textbox', { name: 'Message' }).click();
  await page.keyboard.press('Control+k');
  await expect(field).toBeFocused();
  await page.keyboard.type('Heron');
  const results = page.getByRole('region', { name: 'Search results' });
  await expect(results.getByRole('button', { name: /blue heron landed/ })).toBeVisible();
  await expect(results.getByRole('listitem')).toHaveCount(2);
  await expect(results.getByText('secret')).toHaveCount(0);
  // The hits are <mark> around text; the HTML in a message is shown as text, never run.
  await expect(results.locator('mark')).toHaveText(['heron', 'heron']);
  await expect(results.getByText('<img src=x onerror="window.__pwned=1">', { exact: false })).toBeVisible();
  await expect(results.locator('img, b')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  await page.screenshot({ path: info.outputPath('search-results.png') });

  await results.getByRole('button', { name: /blue heron landed/ }).click();
  await expect(results).toBeHidden();
  const pane = page.getByRole('region', { name: 'Conversation: bob' });
  const found = history(page).locator('article[aria-current="true"]');
  await expect(found).toHaveText(/the blue heron landed on the pier/);
  await expect(found).toBeInViewport();
  await expect(pane).toBeVisible();
  // The newest messages are not loaded yet: the page around the result is.
  await expect(history(page).getByText('later message 150', { exact: true })).toHaveCount(0);
  await page.screenshot({ path: info.outputPath('search-opened.png') });

  // Scrolling down loads the newer messages in order, up to the newest.
  await expect
    .poll(
      async () => {
        await history(page).locator('div').first().evaluate((el) => el.scrollTo(0, el.scrollHeight));
        return history(page).getByText('later message 150', { exact: true }).count();
      },
      { timeout: 20_000 },
    )
    .toBe(1);

  // Cmd+K works too (macOS), and an over-long query is told in words.
  await page.keyboard.press('Meta+k');
  await expect(field).toBeFocused();
  await field.fill('x'.repeat(201));
  await field.press('Enter');
  await expect(results.getByRole('alert')).toHaveText(/at most 10 words and 200 characters/);
});
