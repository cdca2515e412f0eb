import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';
import { cspMetaPlugin } from './main/shell/contentSecurityPolicy.ts';

// The renderer is built to static files: the browser host (`npm run web`) and Electron load the same build.
// The page's CSP meta tag is written from main/shell/contentSecurityPolicy.ts (the browser host swaps in its own).
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [svelte(), cspMetaPlugin()],
  build: { outDir: '../dist/renderer', emptyOutDir: true, target: 'es2022' },
});
