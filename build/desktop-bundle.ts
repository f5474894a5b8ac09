// Builds the desktop shell into out/: Electron runs JavaScript, not our .ts files, and a sandboxed
// preload must be a single CommonJS file. npm packages stay external (electron-builder ships them
// in the app's node_modules); our own code, main/ included, is bundled.
//   out/main.js         the main process (ESM)
//   out/preload.cjs     the preload (CommonJS, everything but 'electron' inlined)
//   out/server-host.js  the utilityProcess entry with the Integration Server (ESM)
//   out/pages/          the app's own pages (lightkeeper://app)
// Server modules find their files (SQL migrations and queries, package.json, the console) relative to
// their own source location, through import.meta.url. Bundled, that would be out/; so each module's
// import.meta.url is rewritten to where its source sits in the app, and main/'s non-TypeScript files
// ship beside out/ (build/electron-builder.config.ts). No list of assets to keep in step.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'vite';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const OUT = join(ROOT, 'out');

function sourceLocation(): Plugin {
  const main = join(ROOT, 'main') + sep;
  return {
    name: 'lightkeeper-source-location',
    transform(code, id) {
      if (!id.startsWith(main) || !code.includes('import.meta.url')) return null;
      const fromOut = relative(OUT, id).split(sep).join('/');
      return { code: code.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromOut)}, import.meta.url).href`), map: null };
    },
  };
}

async function bundle(entry: string, fileName: string, format: 'es' | 'cjs'): Promise<void> {
  await build({
    configFile: false,
    root: ROOT,
    logLevel: 'warn',
    plugins: [sourceLocation()],
    // An SSR build targets Node and leaves bare imports (electron, npm packages) external.
    build: {
      ssr: join(ROOT, entry),
      outDir: OUT,
      emptyOutDir: false,
      minify: false,
      sourcemap: true,
      target: 'node22',
      // Chunks beside the entries, so that every rewritten import.meta.url has the same base (out/).
      rolldownOptions: { output: { format, entryFileNames: fileName, chunkFileNames: '[name]-[hash].js' } },
    },
  });
}

export async function buildDesktop(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  await bundle('electron/main.ts', 'main.js', 'es');
  await bundle('electron/preload.ts', 'preload.cjs', 'cjs');
  await bundle('electron/server-host.ts', 'server-host.js', 'es');
  cpSync(join(ROOT, 'electron/pages'), join(OUT, 'pages'), { recursive: true });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildDesktop();
  console.log(`Desktop shell built into ${OUT}`);
}
