/**
 * No Electron binary runs on our machines, so this checks the next best thing: the Electron main
 * bundle, built as `npm start` builds it, contains every function main/shell/ exports (esbuild
 * drops what nothing uses, so tested-but-unused shell code fails here) and the calls that put
 * the UI on app:// and IPC through the shared dispatcher.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_OPTIONS } from '../launch/buildElectron.ts';

const SHELL = new URL('../shell/', import.meta.url);
/** Shell exports that other parts use instead of main.ts, and which part. */
const USED_ELSEWHERE: Record<string, string> = {
  cspMetaPlugin: 'vite.config.ts',
  webHostCsp: 'main/web/webHost.ts',
};

let bundle = '';
beforeAll(async () => {
  const out = await build({ ...BUNDLE_OPTIONS, entryPoints: ['main/electron/main.ts'], write: false, sourcemap: false, outfile: 'main.cjs' });
  bundle = out.outputFiles[0]!.text;
});

function shellExports(): Array<{ file: string; name: string }> {
  return readdirSync(SHELL)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .flatMap((file) => [...readFileSync(new URL(file, SHELL), 'utf8').matchAll(/^export (?:async )?(?:function|class|const) (\w+)/gm)].map((m) => ({ file, name: m[1]! })));
}

describe('the Electron main bundle', () => {
  it('contains every function, class and constant main/shell exports', () => {
    const missing = shellExports()
      .filter(({ name }) => !(name in USED_ELSEWHERE))
      .filter(({ name }) => !new RegExp(`\\b(?:function|class|var) ${name}\\d*\\b`).test(bundle));
    expect(missing).toEqual([]);
    for (const [name, user] of Object.entries(USED_ELSEWHERE)) expect(readFileSync(new URL(`../../${user}`, import.meta.url), 'utf8')).toContain(name);
  });

  it('serves the UI from app:// through protocol.handle and never loads a file:// page', () => {
    expect(bundle).toMatch(/\.protocol\.registerSchemesAsPrivileged\(APP_SCHEME_PRIVILEGES\)/);
    expect(bundle).toMatch(/\.protocol\.handle\(APP_SCHEME, \(request\) => serveAppRequest\(request, config\d*\.uiRoot\)\)/);
    expect(bundle).toMatch(/\.loadURL\(APP_PAGE_URL\)/);
    expect(bundle).not.toMatch(/loadFile|file:\/\//);
  });

  it('puts every IPC call through the shared dispatcher, with the sender frame', () => {
    // esbuild numbers a name that another bundled module also declares (`channel2`).
    expect(bundle).toMatch(/ipcHandlers\(api, APP_PAGE_URL\)\) import_electron\d*\.ipcMain\.handle\(channel\d*, \(event, \.\.\.args\) => handler\(event\.senderFrame, args\)\)/);
    expect(bundle).not.toMatch(/checkIpcCall|ipcMain\.on\(/);
  });

  it('opens the window isolated and sandboxed, without Node or webviews', () => {
    const prefs = /webPreferences: \{([^}]*)\}/.exec(bundle)?.[1] ?? '';
    for (const setting of ['contextIsolation: true', 'sandbox: true', 'nodeIntegration: false', 'nodeIntegrationInSubFrames: false', 'nodeIntegrationInWorker: false', 'webSecurity: true', 'webviewTag: false', 'navigateOnDragDrop: false']) {
      expect(prefs).toContain(setting);
    }
  });
});
