/** Finds the Electron binary the `electron` package downloads at install time, if it did. */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type ElectronBinary = { ok: true; path: string } | { ok: false; reason: string };

export function findElectronBinary(resolveFrom: string = import.meta.url): ElectronBinary {
  let pkgDir: string;
  try {
    pkgDir = dirname(createRequire(resolveFrom).resolve('electron/package.json'));
  } catch {
    return { ok: false, reason: 'the electron package is not installed' };
  }
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const pathFile = join(pkgDir, 'path.txt');
  if (!override && !existsSync(pathFile)) return { ok: false, reason: `the Electron binary was never downloaded (${pathFile} is missing)` };
  const binary = override ? join(override, process.platform === 'win32' ? 'electron.exe' : 'electron') : join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? { ok: true, path: binary } : { ok: false, reason: `the Electron binary is missing (${binary})` };
}

/** The one line `npm start` prints where Electron cannot run. */
export function missingElectronMessage(reason: string): string {
  return `Parley: cannot start the desktop app because ${reason}; its download is blocked on this machine. Run \`npm run web\` to use Parley in your browser instead.`;
}
