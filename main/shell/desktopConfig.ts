/**
 * Where the desktop app finds its parts, and what the environment changes, decided once from
 * plain inputs so main.ts has no branches of its own.
 */
import { join } from 'node:path';
import type { HostConfig } from '../core/hostMessages.ts';

export interface DesktopConfig {
  /** The Vite build of the UI, served as app://parley/. */
  uiRoot: string;
  resources: string;
  preload: string;
  hostEntry: string;
  /** Tests run the app with a profile folder of their own. */
  userData: string | undefined;
  hostDefaults: Omit<HostConfig, 'dataDir' | 'port'>;
  /** The Electron end-to-end test drives the app through a hook on globalThis. */
  e2e: boolean;
}

export function desktopConfig(input: { bundleDir: string; packaged: boolean; resourcesPath: string; env: NodeJS.ProcessEnv; exists: (path: string) => boolean }): DesktopConfig {
  // Bundled to dist/electron/; the app's root is two folders up (the asar root when packaged).
  const root = join(input.bundleDir, '..', '..');
  // `npm start` loads better-sqlite3 built for Electron from here (npm run electron:native); packages are rebuilt by electron-builder.
  const native = join(root, 'build', 'electron-native', 'better_sqlite3.node');
  const { env } = input;
  return {
    uiRoot: join(root, 'dist', 'renderer'),
    resources: input.packaged ? join(input.resourcesPath, 'resources') : join(root, 'resources'),
    preload: join(input.bundleDir, 'preload.cjs'),
    hostEntry: join(input.bundleDir, 'hostProcess.cjs'),
    userData: env.PARLEY_USER_DATA || undefined,
    hostDefaults: {
      ...(!input.packaged && input.exists(native) ? { nativeBinding: native } : {}),
      ...(env.PARLEY_HOST_LISTEN ? { listenHost: env.PARLEY_HOST_LISTEN } : {}),
    },
    e2e: env.PARLEY_E2E === '1',
  };
}

/** The confirmation shown when closing the last window would stop a hosted server. */
export const CONFIRM_QUIT = {
  type: 'warning',
  buttons: ['Quit and stop hosting', 'Cancel'],
  defaultId: 1,
  cancelId: 1,
  message: 'Quitting stops the server you are hosting.',
  detail: 'Everyone connected to it will be disconnected.',
} as const;
