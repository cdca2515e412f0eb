/**
 * `npm run electron:native`: builds a second copy of better-sqlite3's native module for
 * Electron's ABI into build/electron-native/, leaving node_modules built for Node (the tests
 * use that one). `npm start` passes this copy to the hosted server as `nativeBinding`.
 * Needs Electron's headers from electronjs.org (node-gyp downloads them once).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const electronVersion = (require('electron/package.json') as { version: string }).version;
const source = dirname(require.resolve('better-sqlite3/package.json'));
const work = mkdtempSync(join(tmpdir(), 'parley-native-'));
try {
  cpSync(source, work, { recursive: true, filter: (p) => !p.includes(`${join(source, 'build')}`) });
  const gyp = require.resolve('node-gyp/bin/node-gyp.js');
  execFileSync(process.execPath, [gyp, 'rebuild', '--release', `--target=${electronVersion}`, '--runtime=electron', '--dist-url=https://electronjs.org/headers'], { cwd: work, stdio: 'inherit' });
  const out = join(ROOT, 'build', 'electron-native');
  mkdirSync(out, { recursive: true });
  cpSync(join(work, 'build', 'Release', 'better_sqlite3.node'), join(out, 'better_sqlite3.node'));
  console.log(`better-sqlite3 for Electron ${electronVersion} written to ${out}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
