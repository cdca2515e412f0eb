/**
 * Bundles the Electron main process, preload and hosted-server entry with esbuild into
 * dist/electron/*.cjs (Electron runs JavaScript, and a sandboxed preload must be one CommonJS
 * file). Native and worker-using modules stay external and load from node_modules.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Options every Electron bundle shares (shellBundle.test.ts bundles main.ts with them too). */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node' as const,
  format: 'cjs' as const,
  target: 'node22',
  absWorkingDir: ROOT,
  external: ['electron', 'better-sqlite3', 'pino'],
  logLevel: 'warning' as const,
  // hosting.ts's Node fork launcher reads import.meta.url; the Electron bundle hosts through utilityProcess instead.
  logOverride: { 'empty-import-meta': 'silent' as const },
  sourcemap: true,
};

/** The hosted server's process (hostBundle.test.ts runs this bundle). */
export const HOST_ENTRY = { hostProcess: 'main/core/hostProcess.ts' };

export async function buildElectron(): Promise<void> {
  const common = BUNDLE_OPTIONS;
  await Promise.all([
    build({ ...common, entryPoints: { main: 'main/electron/main.ts', ...HOST_ENTRY }, outdir: 'dist/electron', outExtension: { '.js': '.cjs' } }),
    build({ ...common, entryPoints: { preload: 'main/preload.ts' }, outdir: 'dist/electron', outExtension: { '.js': '.cjs' } }),
  ]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildElectron();
