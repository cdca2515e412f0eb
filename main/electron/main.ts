/**
 * The Electron shell only hands Electron objects to tested functions in main/shell/: the UI from
 * app:// (serveAppRequest), IPC through the shared dispatcher (ipcHandlers), menus and tray as
 * templates of core state. A decision belongs in main/shell/ with a test (see shellBundle.test.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  app, BrowserWindow, dialog, ipcMain, Menu, Notification, powerMonitor, protocol, safeStorage, session, shell, Tray,
  type WebContents,
} from 'electron';
import type { CoreState } from '../core/api.ts';
import { createCore } from '../core/core.ts';
import { APP_PAGE_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES, serveAppRequest } from '../shell/appProtocol.ts';
import { runCommand } from '../shell/commandRunner.ts';
import type { ShellCommand } from '../shell/commands.ts';
import { CONFIRM_QUIT, desktopConfig } from '../shell/desktopConfig.ts';
import { closeDecision, IdleAway, notificationToShow } from '../shell/desktopManners.ts';
import { inviteForwarder, protocolClientArgs } from '../shell/inviteScheme.ts';
import { desktopApi, forwardEvents, ipcHandlers } from '../shell/ipcBridge.ts';
import { appMenuTemplate } from '../shell/menuTemplate.ts';
import { keepRemembered } from '../shell/rememberLifecycle.ts';
import { RememberMe } from '../shell/rememberMe.ts';
import { saveDownloadedFile } from '../shell/saveFile.ts';
import { allowNavigation, externalLinkAllowed, permissionAllowed } from '../shell/security.ts';
import { badgeCount, trayIconFor, trayTemplate } from '../shell/trayTemplate.ts';
import { utilityLauncher } from './hostLauncher.ts';
import { buildMenu } from './toElectronMenu.ts';

const config = desktopConfig({ bundleDir: __dirname, packaged: app.isPackaged, resourcesPath: process.resourcesPath, env: process.env, exists: existsSync });
// Must happen before `ready`: app:// becomes a standard, secure origin of its own.
protocol.registerSchemesAsPrivileged(APP_SCHEME_PRIVILEGES);
if (config.userData) app.setPath('userData', config.userData);
if (!app.requestSingleInstanceLock()) app.quit();

let win: BrowserWindow | null = null;
let tray: Tray | null = null;
let quitting = false;
let state: CoreState;
const core = createCore({ dataDir: app.getPath('userData'), launchHost: utilityLauncher(config.hostEntry), hostDefaults: config.hostDefaults, openLink: openInBrowser, discovery: {} });
const vault = new RememberMe(join(app.getPath('userData'), 'remembered-login.bin'), safeStorage);
const api = desktopApi(core, {
  rememberMeStatus: async () => ({ ok: true, value: await vault.status() }),
  saveFile: (args) =>
    saveDownloadedFile(args, async (name) => {
      const options = { defaultPath: join(app.getPath('downloads'), name) };
      return (await (win ? dialog.showSaveDialog(win, options) : dialog.showSaveDialog(options))).filePath || undefined;
    }),
});
const idleAway = new IdleAway();
const run = (command: ShellCommand): void => runCommand(command, { core, showWindow, quit });
// parley:// invite links, however the OS hands them over (shell/inviteScheme.ts).
const invites = inviteForwarder(core, () => void (app.isReady() && showWindow()));
app.setAsDefaultProtocolClient(...(protocolClientArgs(process.defaultApp === true, process.execPath, process.argv) as Parameters<typeof app.setAsDefaultProtocolClient>));

/** The one way out to the system browser: plain http(s) links only, checked right here. */
async function openInBrowser(url: string): Promise<void> {
  if (externalLinkAllowed(url)) await shell.openExternal(url);
}

function showWindow(): BrowserWindow {
  win ??= createWindow();
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
  return win;
}

function createWindow(): BrowserWindow {
  // Written out here, not built elsewhere, so the security scan sees them (shellBundle.test.ts checks them too).
  const w = new BrowserWindow({
    ...{ width: 1100, height: 760, minWidth: 420, minHeight: 480, title: 'Parley', icon: join(config.resources, 'icon.png'), show: false },
    webPreferences: {
      preload: config.preload, contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInSubFrames: false, nodeIntegrationInWorker: false,
      webSecurity: true, allowRunningInsecureContent: false, experimentalFeatures: false, navigateOnDragDrop: false, webviewTag: false, disableBlinkFeatures: 'Auxclick',
    },
  });
  w.once('ready-to-show', () => (w.show(), invites.ready())).on('closed', () => ((win = null), invites.notReady()));
  w.on('close', (e) => {
    const decision = closeDecision({ hasTray: tray !== null, hosting: state?.hosting.status === 'running', quitting });
    if (decision === 'quit') return;
    e.preventDefault();
    if (decision === 'hide-to-tray') w.hide();
    else void dialog.showMessageBox(w, { ...CONFIRM_QUIT, buttons: [...CONFIRM_QUIT.buttons] }).then(({ response }) => response === 0 && quit());
  });
  void w.loadURL(APP_PAGE_URL);
  return w;
}

const quit = (): void => void ((quitting = true), app.quit());

async function render(): Promise<void> {
  Menu.setApplicationMenu(buildMenu(appMenuTemplate(state, process.platform), run));
  const settings = await core.getSettings();
  if (tray) {
    const icon = trayIconFor(state);
    tray.setImage(join(config.resources, icon.file)); // Electron picks up the @2x file beside it
    tray.setToolTip(icon.tooltip);
    tray.setContextMenu(buildMenu(trayTemplate(state, settings), run));
  }
  app.setBadgeCount(badgeCount(state, settings));
}

function lockDown(contents: WebContents): void {
  contents.on('will-navigate', (e, url) => allowNavigation(url, APP_PAGE_URL) || e.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    void openInBrowser(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (e) => e.preventDefault());
}

app.on('web-contents-created', (_e, contents) => lockDown(contents));
app.on('second-instance', (_e, argv) => (showWindow(), invites.fromArgv(argv)));
app.on('open-url', (e, url) => (e.preventDefault(), invites.fromUrl(url)));
app.on('before-quit', () => (quitting = true));
app.on('will-quit', (e) => {
  // Stop hosting and close the connection before the process ends.
  e.preventDefault();
  void core.close().finally(() => app.exit(0));
});
app.on('window-all-closed', () => tray || quit());

void app.whenReady().then(async () => {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, permission, callback) => callback(permissionAllowed(permission)));
  ses.setPermissionCheckHandler((_wc, permission) => permissionAllowed(permission));
  protocol.handle(APP_SCHEME, (request) => serveAppRequest(request, config.uiRoot));
  for (const [channel, handler] of ipcHandlers(api, APP_PAGE_URL)) ipcMain.handle(channel, (event, ...args: unknown[]) => handler(event.senderFrame, args));
  forwardEvents(api, (channel, payload) => win?.webContents.send(channel, payload));

  state = await core.getState();
  try {
    tray = new Tray(join(config.resources, 'tray-offline.png')).on('click', () => showWindow());
  } catch {
    tray = null; // a desktop without a tray: closing the window quits
  }
  core.onState((s) => {
    state = s;
    void render();
  });
  core.onMessage(async (m) => {
    const n = notificationToShow(m, { state, settings: await core.getSettings(), windowFocused: win?.isFocused() ?? false, supported: Notification.isSupported() });
    if (!n) return;
    new Notification({ title: n.title, body: n.body, silent: false }).on('click', () => run({ type: 'openConversation', conversation: n.conversation })).show();
  });
  const remembered = keepRemembered(core, vault);
  powerMonitor.on('resume', () => core.reconnectNow());
  setInterval(() => void idleAway.tick(core, powerMonitor.getSystemIdleTime()), 30_000).unref();
  await render();
  showWindow();
  invites.fromArgv(process.argv);
  await remembered.resumeAtStart();
  // The Electron end-to-end test reads the tray's template and runs commands through this hook.
  if (config.e2e) Object.assign(globalThis, { parleyTest: { trayItems: async () => trayTemplate(state, await core.getSettings()), run } });
});
