/**
 * A link in a message, clicked in the browser host (`npm run web`): the app page stays where it
 * is and the link opens in a tab of its own, the browser being the system browser there. The
 * link's page is answered by Playwright, so no request leaves this machine.
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

test('a link in a message opens in a new tab with no opener; the app page stays', async ({ browser }) => {
  const context = await browser.newContext();
  const target = 'http://127.0.0.1:9/changelog';
  await context.route(`${target}**`, (route) => route.fulfill({ contentType: 'text/plain', body: 'the changelog' }));
  const bob = await context.newPage();
  await joinAs(bob, server.port, 'bob');
  alice = await JsonClient.login(server.port, 'alice', 'pw', '127.0.1.41');
  await alice.request({ type: 'send', to: ['bob'], text: `see [the changelog](${target}) or [this](javascript:alert(1))` });
  await person(bob, 'alice').click();
  const link = history(bob).getByRole('link', { name: 'the changelog' });
  await expect(link).toBeVisible();
  // Only the web link is a link; the other stays text.
  await expect(history(bob).getByRole('link')).toHaveCount(1);
  const app = bob.url();
  const [tab] = await Promise.all([context.waitForEvent('page', { timeout: 10_000 }), link.click()]);
  await tab.waitForLoadState();
  expect(tab.url()).toBe(target);
  expect(await tab.evaluate(() => window.opener)).toBeNull();
  expect(bob.url()).toBe(app);
  await context.close();
});
