/**
 * The Electron shell: it only translates. IPC becomes core calls, core state becomes the menu,
 * the tray and the badge, core messages become notifications. Every decision it applies is a
 * pure function in main/shell/ (tested in plain Node); this file hands them to Electron.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, Notification, powerMonitor, safeStorage, session, shell, Tray,
  type WebContents,
} from 'electron';
import type { CoreState } from '../core/api.ts';
import { API_CALLS, API_EVENTS, channelOf } from '../core/apiChannels.ts';
import { createCore } from '../core/core.ts';
import type { ShellCommand } from '../shell/commands.ts';
import { closeDecision, IdleAway, notificationFor, shouldNotify } from '../shell/desktopManners.ts';
import { appMenuTemplate } from '../shell/menuTemplate.ts';
import { RememberMe } from '../shell/rememberMe.ts';
import { allowNavigation, checkIpcCall, CONTENT_SECURITY_POLICY, externalLinkAllowed, permissionAllowed } from '../shell/security.ts';
import { trayIconFor, trayTemplate } from '../shell/trayTemplate.ts';
import { utilityLauncher } from './hostLauncher.ts';
import { buildMenu } from './toElectronMenu.ts';

// Bundled to dist/electron/; the app's root is two folders up (the asar root when packaged).
const ROOT = join(__dirname, '..', '..');
const RESOURCES = app.isPackaged ? join(process.resourcesPath, 'resources') : join(ROOT, 'resources');
const PAGE = join(ROOT, 'dist', 'renderer', 'index.html');
const PAGE_URL = new URL(`file://${PAGE}`).href;
// `npm start` loads better-sqlite3 built for Electron from here (npm run electron:native); packaged apps are rebuilt by electron-builder.
const ELECTRON_NATIVE = join(ROOT, 'build', 'electron-native', 'better_sqlite3.node');

// Tests run the app with its own profile folder, and keep hosted servers on loopback.
if (process.env.PARLEY_USER_DATA) app.setPath('userData', process.env.PARLEY_USER_DATA);
if (!app.requestSingleInstanceLock()) app.quit();

let win: BrowserWindow | null = null;
let tray: Tray | null = null;
let quitting = false;
let state: CoreState;

const core = createCore({
  dataDir: app.getPath('userData'),
  launchHost: utilityLauncher(join(__dirname, 'hostProcess.cjs')),
  hostDefaults: {
    ...(!app.isPackaged && existsSync(ELECTRON_NATIVE) ? { nativeBinding: ELECTRON_NATIVE } : {}),
    ...(process.env.PARLEY_HOST_LISTEN ? { listenHost: process.env.PARLEY_HOST_LISTEN } : {}),
  },
  openLink: openInBrowser,
});
const remember = new RememberMe(join(app.getPath('userData'), 'remembered-login.bin'), safeStorage);
const idleAway = new IdleAway();

/** The one way out to the system browser: plain http(s) links only, checked right here. */
async function openInBrowser(url: string): Promise<void> {
  if (externalLinkAllowed(url)) await shell.openExternal(url);
}

function showWindow(): BrowserWindow {
  if (!win) win = createWindow();
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
  return win;
}

function createWindow(): BrowserWindow {
  const w = new BrowserWindow({
    width: 1100,
    height: 760,
    minWidth: 420,
    minHeight: 480,
    title: 'Parley',
    icon: join(RESOURCES, 'icon.png'),
    show: false,
    webPreferences: {
      preload: join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      // A middle click must not open links in new windows either.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  w.once('ready-to-show', () => w.show());
  w.on('close', (e) => {
    const decision = closeDecision({ hasTray: tray !== null, hosting: state?.hosting.status === 'running', quitting });
    if (decision === 'quit') return;
    e.preventDefault();
    if (decision === 'hide-to-tray') w.hide();
    else void confirmQuit(w);
  });
  w.on('closed', () => (win = null));
  void w.loadFile(PAGE);
  return w;
}

async function confirmQuit(w: BrowserWindow): Promise<void> {
  const { response } = await dialog.showMessageBox(w, {
    type: 'warning',
    buttons: ['Quit and stop hosting', 'Cancel'],
    defaultId: 1,
    cancelId: 1,
    message: 'Quitting stops the server you are hosting.',
    detail: 'Everyone connected to it will be disconnected.',
  });
  if (response === 0) quit();
}

function quit(): void {
  quitting = true;
  app.quit();
}

function run(command: ShellCommand): void {
  switch (command.type) {
    case 'hostServer':
      showWindow();
      return core.emitUiCommand({ type: 'showHostDialog' });
    case 'stopHosting':
      return void core.stopHosting();
    case 'manageUsers':
      showWindow();
      return core.emitUiCommand({ type: 'showManageUsers' });
    case 'connect':
      showWindow();
      return core.emitUiCommand({ type: 'showConnect' });
    case 'logout':
      return void core.logout();
    case 'back':
      return void core.back();
    case 'setAway':
      return void core.setAway(command.message ? { message: command.message } : {});
    case 'customAway':
      showWindow();
      return core.emitUiCommand({ type: 'showCustomAway' });
    case 'show':
      return void showWindow();
    case 'quit':
      return quit();
    default: {
      const never: never = command;
      throw new Error(`unknown command ${JSON.stringify(never)}`);
    }
  }
}

async function render(): Promise<void> {
  const settings = await core.getSettings();
  Menu.setApplicationMenu(buildMenu(appMenuTemplate(state, process.platform), run));
  if (tray) {
    const icon = trayIconFor(state);
    const image = nativeImage.createFromPath(join(RESOURCES, icon.file));
    image.addRepresentation({ scaleFactor: 2, buffer: nativeImage.createFromPath(join(RESOURCES, icon.file2x)).toPNG() });
    tray.setImage(image);
    tray.setToolTip(icon.tooltip);
    tray.setContextMenu(buildMenu(trayTemplate(state, settings), run));
  }
  app.setBadgeCount(state.unread);
}

function wireIpc(): void {
  for (const name of API_CALLS) {
    ipcMain.handle(channelOf(name), (event, ...args: unknown[]) => {
      const check = checkIpcCall(event.senderFrame?.url ?? '', PAGE_URL, name, args);
      if (!check.ok) return { ok: false, error: check.error };
      const method = core[check.call] as (...a: unknown[]) => Promise<unknown>;
      return method(...check.args);
    });
  }
  for (const name of API_EVENTS) {
    (core[name] as (l: (p: unknown) => void) => () => void)((payload) => win?.webContents.send(channelOf(name), payload));
  }
}

function lockDown(contents: WebContents): void {
  contents.on('will-navigate', (e, url) => {
    if (!allowNavigation(url, PAGE_URL)) e.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    void openInBrowser(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (e) => e.preventDefault());
}

app.on('web-contents-created', (_e, contents) => lockDown(contents));
app.on('second-instance', () => showWindow());
app.on('before-quit', () => (quitting = true));
app.on('will-quit', (e) => {
  // Stop hosting and close the connection before the process ends.
  e.preventDefault();
  void core.close().finally(() => app.exit(0));
});
app.on('window-all-closed', () => {
  if (!tray) quit();
});

void app.whenReady().then(async () => {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, permission, callback) => callback(permissionAllowed(permission)));
  ses.setPermissionCheckHandler((_wc, permission) => permissionAllowed(permission));
  ses.webRequest.onHeadersReceived((details, callback) =>
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } }),
  );

  state = await core.getState();
  wireIpc();
  try {
    tray = new Tray(nativeImage.createFromPath(join(RESOURCES, 'tray-offline.png')));
    tray.on('click', () => showWindow());
  } catch {
    tray = null; // a desktop without a tray: closing the window quits
  }
  core.onState((s) => {
    state = s;
    void render();
  });
  core.onMessage((m) => {
    const me = state.connection.status === 'online' || state.connection.status === 'reconnecting' ? state.connection.user : '';
    void core.getSettings().then((settings) => {
      if (!Notification.isSupported() || !shouldNotify(m, { me, windowFocused: win?.isFocused() ?? false, muted: settings.muted })) return;
      const n = notificationFor(m, me);
      const notice = new Notification({ title: n.title, body: n.body, silent: false });
      notice.on('click', () => {
        showWindow();
        core.emitUiCommand({ type: 'openConversation', conversation: n.conversation });
      });
      notice.show();
    });
  });
  // Remember me: keep the resume token while logged in, drop it at logout.
  core.onState((s) => {
    if (s.connection.status !== 'online') return;
    void core.getSettings().then((settings) => {
      const live = core.rememberable();
      if (settings.rememberMe && live) void remember.save(live);
    });
  });
  core.onLoggedOut(() => void remember.forget());
  powerMonitor.on('resume', () => core.reconnectNow());
  setInterval(() => {
    void core.getSettings().then((settings) => {
      const action = idleAway.decide(powerMonitor.getSystemIdleTime(), settings.idleAwayMinutes, state.away);
      if (action?.type === 'setAway') void core.setAway({ message: action.message });
      else if (action?.type === 'back') void core.back();
    });
  }, 30_000).unref();

  await render();
  showWindow();
  const saved = await remember.load();
  if (saved && (await core.getSettings()).rememberMe) await core.resume({ server: saved.server, token: saved.token });

  // The Electron end-to-end test drives the tray's template through this hook.
  if (process.env.PARLEY_E2E === '1') {
    Object.assign(globalThis, {
      parleyTest: {
        trayItems: async () => trayTemplate(await core.getState(), await core.getSettings()),
        run: (command: ShellCommand) => run(command),
        state: () => core.getState(),
      },
    });
  }
});
