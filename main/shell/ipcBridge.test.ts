import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, stopTestServer, type TestServer } from '../../server/testkit/testServer.ts';
import { API_CALLS, channelOf } from '../core/apiChannels.ts';
import { createCore, type Core } from '../core/core.ts';
import { APP_PAGE_URL } from './appProtocol.ts';
import { desktopApi, forwardEvents, ipcHandlers, type IpcHandler } from './ipcBridge.ts';
import type { SenderFrame } from './security.ts';
import { testCa } from '../../server/testkit/testCa.ts';

/** Test servers use the test CA's certificate; these cores trust it as a system CA. */
const TEST_CA = (await testCa()).caPem;

let server: TestServer | undefined;
let core: Core | undefined;
let dataDir = '';

afterEach(async () => {
  await core?.close();
  core = undefined;
  await stopTestServer(server);
  server = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});

function newCore(): Core {
  dataDir = mkdtempSync(join(tmpdir(), 'parley-ipc-'));
  core = createCore({ trustedCa: [TEST_CA], dataDir });
  return core;
}

/** What Electron's event.senderFrame looks like: the app page's main frame, unless told otherwise. */
const frame = (url: string, parent: unknown = null): SenderFrame => ({ url, parent });
const appFrame = frame(APP_PAGE_URL);

describe('IPC handlers over a real core', () => {
  const handler = (handlers: Map<string, IpcHandler>, name: (typeof API_CALLS)[number]): IpcHandler => {
    const h = handlers.get(channelOf(name));
    if (!h) throw new Error(`no handler for ${name}`);
    return h;
  };

  it('has exactly one handler per API call', () => {
    const handlers = ipcHandlers(newCore(), APP_PAGE_URL);
    expect([...handlers.keys()].sort()).toEqual(API_CALLS.map(channelOf).sort());
  });

  it('passes valid calls from the app page through to core: a login reaches a real server', async () => {
    server = await startTestServer({}, { alice: 'pw' });
    const handlers = ipcHandlers(newCore(), APP_PAGE_URL);
    const login = handler(handlers, 'login');
    expect(await login(frame(`${APP_PAGE_URL}#/chat`), [{ host: '127.0.0.1', port: server.port, user: 'alice', password: 'pw' }])).toEqual({ ok: true, value: { user: 'alice' } });
    expect(await handler(handlers, 'setAway')(appFrame, [{ message: 'lunch' }])).toEqual({ ok: true, value: { away: true, message: 'lunch' } });
  });

  it('refuses calls from any other page, from a frame inside the app page, or with no frame, before core sees them', async () => {
    const c = newCore();
    const handlers = ipcHandlers(c, APP_PAGE_URL);
    const refused = { ok: false, error: { code: 'invalid_argument', message: 'calls are accepted only from the app window' } };
    const update = handler(handlers, 'updateSettings');
    expect(await update(frame('https://evil.example/'), [{ muted: true }])).toEqual(refused);
    expect(await update(frame('file:///tmp/index.html'), [{ muted: true }])).toEqual(refused);
    expect(await update(frame('app://evil/index.html'), [{ muted: true }])).toEqual(refused);
    expect(await update(frame(APP_PAGE_URL, appFrame), [{ muted: true }])).toEqual(refused);
    expect(await update(undefined, [{ muted: true }])).toEqual(refused);
    expect(await update(null, [{ muted: true }])).toEqual(refused);
    expect((await c.getSettings()).muted).toBe(false);
  });

  it('refuses malformed arguments with invalid_argument and a reason', async () => {
    const c = newCore();
    const handlers = ipcHandlers(c, APP_PAGE_URL);
    expect(await handler(handlers, 'login')(appFrame, [{ host: '127.0.0.1', port: 0, user: 'alice', password: 'pw' }])).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument', message: expect.stringMatching(/port/) },
    });
    expect(await handler(handlers, 'updateSettings')(appFrame, [{ muted: true, evil: 1 }])).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    expect(await handler(handlers, 'getSettings')(appFrame, ['extra'])).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    expect((await c.getSettings()).muted).toBe(false);
    expect(await handler(handlers, 'updateSettings')(appFrame, [{ muted: true }])).toMatchObject({ muted: true });
  });

  it('answers the desktop-only call through the shell, and says it is unavailable on a plain core', async () => {
    const c = newCore();
    const status = { available: false, reason: 'no keyring' } as const;
    const desktop = ipcHandlers(desktopApi(c, { rememberMeStatus: async () => ({ ok: true, value: status }) }), APP_PAGE_URL);
    expect(await handler(desktop, 'rememberMeStatus')(appFrame, [])).toEqual({ ok: true, value: status });
    expect(await handler(desktop, 'getSettings')(appFrame, [])).toMatchObject({ muted: false });
    expect(await handler(ipcHandlers(c, APP_PAGE_URL), 'rememberMeStatus')(appFrame, [])).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('forwards core events to the window on their channels until unsubscribed', async () => {
    const c = newCore();
    const sent: Array<[string, unknown]> = [];
    const stop = forwardEvents(c, (channel, payload) => sent.push([channel, payload]));
    c.emitUiCommand({ type: 'showConnect' });
    expect(sent).toContainEqual([channelOf('onUiCommand'), { type: 'showConnect' }]);
    stop();
    c.emitUiCommand({ type: 'showHostDialog' });
    expect(sent.filter(([ch]) => ch === channelOf('onUiCommand'))).toHaveLength(1);
  });
});
