/** `npm start`: builds the UI and the Electron bundles, then opens the desktop app. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureRendererBuilt } from '../web/buildRenderer.ts';
import { buildElectron } from './buildElectron.ts';
import { findElectronBinary, missingElectronMessage } from './electronBinary.ts';

const binary = findElectronBinary();
if (!binary.ok) {
  console.error(missingElectronMessage(binary.reason));
  process.exit(1);
}
await ensureRendererBuilt();
await buildElectron();
const root = fileURLToPath(new URL('../..', import.meta.url));
const child = spawn(binary.path, [root, ...process.argv.slice(2)], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 0));
