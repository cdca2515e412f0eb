import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CoreState } from '../core/api.ts';
import type { ChatMessage } from '../../server/protocol/common/types.ts';
import type { MenuItemSpec } from './commands.ts';
import { closeDecision, IdleAway, NOTIFICATION_MAX_CHARS, notificationFor, notificationToShow, shouldNotify } from './desktopManners.ts';
import { appMenuTemplate } from './menuTemplate.ts';
import { BASIC_TEXT, NO_KEYRING, RememberMe, type Encryptor } from './rememberMe.ts';
import { allowNavigation, externalLinkAllowed, isAppMainFrame, isAppPage, permissionAllowed } from './security.ts';
import { APP_PAGE_URL } from './appProtocol.ts';
import { trayIconFor, trayTemplate } from './trayTemplate.ts';

const server = { host: '127.0.0.1', port: 1995 };
const online = (patch: Partial<CoreState> = {}): CoreState => ({
  connection: { status: 'online', server, user: 'alice' },
  away: { away: false },
  hosting: { status: 'stopped' },
  unread: 0,
  unreadByConversation: {},
  mentions: 0,
  mentionsByConversation: {},
  security: null,
  discovered: [],
  ...patch,
});
const offline: CoreState = { connection: { status: 'offline' }, away: { away: false }, hosting: { status: 'stopped' }, unread: 0, unreadByConversation: {}, mentions: 0, mentionsByConversation: {}, security: null, discovered: [] };
const find = (items: MenuItemSpec[], label: string): MenuItemSpec | undefined =>
  items.flatMap((i) => [i, ...(i.submenu ?? [])]).find((i) => i.label === label);

describe('application menu', () => {
  it('has Edit, View and Window menus and a Server menu that follows hosting', () => {
    const stopped = appMenuTemplate(online(), 'linux');
    expect(stopped.map((m) => m.role ?? m.label)).toEqual(['File', 'editMenu', 'Server', 'viewMenu', 'windowMenu']);
    expect(find(stopped, 'Host Server...')).toMatchObject({ enabled: true, command: { type: 'hostServer' } });
    expect(find(stopped, 'Stop Hosting')?.enabled).toBe(false);
    expect(find(stopped, 'Manage Users...')?.enabled).toBe(false);
    const running = appMenuTemplate(online({ hosting: { status: 'running', port: 1995 } }), 'darwin');
    expect(running[0]).toEqual({ role: 'appMenu' });
    expect(find(running, 'Host Server...')?.enabled).toBe(false);
    expect(find(running, 'Stop Hosting')).toMatchObject({ enabled: true, command: { type: 'stopHosting' } });
    expect(find(running, 'Manage Users...')?.enabled).toBe(true);
    expect(find(appMenuTemplate(offline, 'linux'), 'Log Out')?.enabled).toBe(false);
    expect(find(running, 'Connect to Server...')?.command).toEqual({ type: 'connect' });
  });
});

describe('tray', () => {
  it('offers the same status choices as the window, with the current one checked', () => {
    const items = trayTemplate(online({ away: { away: true, message: 'Out for lunch' } }), { awayPresets: ['In a meeting', 'Out for lunch'] });
    expect(items.filter((i) => i.label).map((i) => i.label)).toEqual([
      'Signed in as alice', 'Available', 'Away', 'In a meeting', 'Out for lunch', 'Custom message...', 'Not hosting', 'Show Parley', 'Quit',
    ]);
    expect(find(items, 'Out for lunch')).toMatchObject({ checked: true, command: { type: 'setAway', message: 'Out for lunch' } });
    expect(find(items, 'Available')?.checked).toBe(false);
    expect(find(items, 'Away')?.command).toEqual({ type: 'setAway' });
    expect(find(trayTemplate(offline, { awayPresets: [] }), 'Away')?.enabled).toBe(false);
    expect(find(trayTemplate(online({ hosting: { status: 'running', port: 4000 } }), { awayPresets: [] }), 'Hosting on port 4000')).toBeDefined();
  });

  it('picks the icon for available, away and offline, with an unread dot, at 1x and 2x', () => {
    expect(trayIconFor(online())).toEqual({ file: 'tray-available.png', file2x: 'tray-available@2x.png', tooltip: 'Parley - Available' });
    expect(trayIconFor(online({ away: { away: true, message: 'lunch' }, unread: 3 }))).toEqual({
      file: 'tray-away-unread.png', file2x: 'tray-away-unread@2x.png', tooltip: 'Parley - Away: lunch - 3 unread',
    });
    expect(trayIconFor(offline).file).toBe('tray-offline.png');
    for (const status of ['available', 'away', 'offline']) {
      for (const suffix of ['', '-unread']) {
        for (const scale of ['', '@2x']) expect(readFileSync(new URL(`../../resources/tray-${status}${suffix}${scale}.png`, import.meta.url)).subarray(1, 4).toString()).toBe('PNG');
      }
    }
  });
});

describe('desktop manners', () => {
  const msg = (patch: Partial<ChatMessage>): ChatMessage => ({ id: 1, from: 'bob', to: ['alice'], conversation: 'direct:alice,bob', kind: 'direct', text: 'hi', ts: '', ...patch });

  it('notifies for others\' messages while the window is unfocused, never for own, auto-replies or when muted', () => {
    const ctx = { me: 'alice', windowFocused: false, muted: false };
    expect(shouldNotify(msg({}), ctx)).toBe(true);
    expect(shouldNotify(msg({}), { ...ctx, windowFocused: true })).toBe(false);
    expect(shouldNotify(msg({ from: 'alice' }), ctx)).toBe(false);
    expect(shouldNotify(msg({ kind: 'auto-reply' }), ctx)).toBe(false);
    expect(shouldNotify(msg({}), { ...ctx, muted: true })).toBe(false);
    expect(notificationFor(msg({ kind: 'group', conversation: 'group:alice,bob,carol' }), 'alice')).toEqual({ title: 'bob in bob, carol', body: 'hi', conversation: 'group:alice,bob,carol' });
  });

  it('titles a broadcast " to everyone", a group by its members, a channel message "#lab bob", a direct message by the sender', () => {
    expect(notificationFor(msg({ kind: 'broadcast', conversation: 'everyone', to: [] }), 'alice').title).toBe('bob to everyone');
    expect(notificationFor(msg({ kind: 'channel', conversation: 'channel:lab', to: [] }), 'alice')).toEqual({ title: '#lab bob', body: 'hi', conversation: 'channel:lab' });
    expect(notificationFor(msg({}), 'alice')).toEqual({ title: 'bob', body: 'hi', conversation: 'direct:alice,bob' });
  });

  it('cuts a body over 200 characters to 200, ending in an ellipsis, and leaves 200 alone', () => {
    expect(NOTIFICATION_MAX_CHARS).toBe(200);
    const exact = 'x'.repeat(200);
    expect(notificationFor(msg({ text: exact }), 'alice').body).toBe(exact);
    const long = notificationFor(msg({ text: `${'y'.repeat(199)}z and more` }), 'alice').body;
    expect(long).toHaveLength(200);
    expect(long).toBe(`${'y'.repeat(199)}…`);
  });

  it('shows a notification only where the system supports them, to the logged-in user', () => {
    const ctx = { state: online(), settings: { muted: false, mutedConversations: [] }, windowFocused: false, supported: true };
    expect(notificationToShow(msg({}), ctx)).toMatchObject({ title: 'bob' });
    expect(notificationToShow(msg({}), { ...ctx, supported: false })).toBeNull();
    expect(notificationToShow(msg({ from: 'alice' }), ctx)).toBeNull();
    expect(notificationToShow(msg({}), { ...ctx, settings: { muted: true, mutedConversations: [] } })).toBeNull();
  });

  it('hides to the tray on close when there is one, and warns before quitting while hosting without one', () => {
    expect(closeDecision({ hasTray: true, hosting: true, quitting: false })).toBe('hide-to-tray');
    expect(closeDecision({ hasTray: false, hosting: true, quitting: false })).toBe('confirm-quit');
    expect(closeDecision({ hasTray: false, hosting: false, quitting: false })).toBe('quit');
    expect(closeDecision({ hasTray: true, hosting: true, quitting: true })).toBe('quit');
  });

  it('becomes away after the idle minutes and available on return, only when idleness set it', () => {
    const idle = new IdleAway();
    expect(idle.decide(600, 0, { away: false })).toBeNull();
    expect(idle.decide(299, 5, { away: false })).toBeNull();
    expect(idle.decide(300, 5, { away: false })).toMatchObject({ type: 'setAway' });
    expect(idle.decide(2, 5, { away: true, message: 'x' })).toEqual({ type: 'back' });
    const chosen = new IdleAway();
    expect(chosen.decide(2, 5, { away: true, message: 'In a meeting' })).toBeNull();
  });
});

describe('security decisions', () => {
  const app = APP_PAGE_URL;

  it('accepts IPC only from the app page in its main frame, never from a frame inside it', () => {
    expect(isAppMainFrame({ url: `${APP_PAGE_URL}#x`, parent: null }, APP_PAGE_URL)).toBe(true);
    expect(isAppMainFrame({ url: APP_PAGE_URL, parent: { url: APP_PAGE_URL } }, APP_PAGE_URL)).toBe(false);
    expect(isAppMainFrame({ url: 'https://evil.example/', parent: null }, APP_PAGE_URL)).toBe(false);
    expect(isAppMainFrame({ url: 'app://parley/other.html', parent: null }, APP_PAGE_URL)).toBe(false);
    expect(isAppMainFrame({ url: 'about:blank', parent: null }, APP_PAGE_URL)).toBe(false);
    expect(isAppMainFrame(null, APP_PAGE_URL)).toBe(false);
  });

  it('blocks navigation and permissions, and opens only http(s) links outside', () => {
    expect(allowNavigation(app, app)).toBe(true);
    expect(allowNavigation('https://example.org/', app)).toBe(false);
    expect(isAppPage('file:///etc/passwd', app)).toBe(false);
    expect(allowNavigation('file:///opt/Parley/resources/app.asar/dist/renderer/index.html', app)).toBe(false);
    expect(externalLinkAllowed('https://example.org/a')).toBe(true);
    expect(externalLinkAllowed('file:///etc/passwd')).toBe(false);
    expect(externalLinkAllowed('javascript:alert(1)')).toBe(false);
    expect(permissionAllowed('media')).toBe(false);
  });
});

describe('remember me', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Stands in for the OS keyring (Electron's safeStorage), which plain Node does not have. */
  const keyring = (available: boolean, backend = 'gnome_libsecret'): Encryptor => ({
    isAsyncEncryptionAvailable: async () => available,
    getSelectedStorageBackend: () => backend,
    encryptStringAsync: async (s) => Buffer.from(Buffer.from(s).map((b) => b ^ 0x5a)),
    decryptStringAsync: async (b) => ({ result: Buffer.from(b.map((x) => x ^ 0x5a)).toString() }),
  });

  it('keeps the resume token sealed, never in plain text, and forgets it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-remember-'));
    const file = join(dir, 'remembered-login.bin');
    const vault = new RememberMe(file, keyring(true));
    expect(await vault.save({ server, user: 'alice', token: 'tok-123' })).toBe(true);
    expect(readFileSync(file).toString()).not.toContain('tok-123');
    expect(await vault.load()).toEqual({ server, user: 'alice', token: 'tok-123' });
    await vault.forget();
    expect(await vault.load()).toBeNull();
  });

  it('is off where the OS has no keyring', async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-remember-'));
    const vault = new RememberMe(join(dir, 'remembered-login.bin'), keyring(false));
    expect(await vault.status()).toEqual({ available: false, reason: NO_KEYRING });
    expect(await vault.save({ server, user: 'alice', token: 't' })).toBe(false);
  });

  it('refuses to store anything on Linux when safeStorage fell back to basic_text, and says why', async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-remember-'));
    const file = join(dir, 'remembered-login.bin');
    const vault = new RememberMe(file, keyring(true, 'basic_text'), 'linux');
    expect(await vault.status()).toEqual({ available: false, reason: BASIC_TEXT });
    expect(BASIC_TEXT).toMatch(/fixed, publicly known password/);
    expect(await vault.save({ server, user: 'alice', token: 'tok' })).toBe(false);
    expect(existsSync(file)).toBe(false);
    // The backend is a Linux notion: elsewhere the OS keyring is used.
    expect(await new RememberMe(file, keyring(true, 'basic_text'), 'darwin').status()).toEqual({ available: true });
    expect(await new RememberMe(file, keyring(true, 'kwallet6'), 'linux').status()).toEqual({ available: true });
  });
});
