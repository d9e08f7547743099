/**
 * The dashboard's build: ui/ → dist/ui/, served by the server itself under /_switchboard/ui/ (src/sim/ui-routes.ts).
 * Built by `npm run build` (and at install, `prepare`), never at start. Everything the page loads comes from
 * Switchboard: no CDN, no external fonts, no inline script (the server's Content-Security-Policy forbids them).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/_switchboard/ui/',
  // Preact's automatic JSX runtime, compiled by Vite's own Oxc transform (no Babel preset needed).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)),
    emptyOutDir: true,
    // The polyfill would be an inline script; every browser the dashboard targets supports modulepreload.
    modulePreload: { polyfill: false },
    target: 'es2022',
    reportCompressedSize: false,
  },
  logLevel: 'warn',
});
