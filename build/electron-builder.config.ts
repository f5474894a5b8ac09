// electron-builder configuration (design §2: build/ holds packaging). The app is out/ (the bundled
// shell and server, build/desktop-bundle.ts), the built console and the production dependencies.
import type { Configuration } from 'electron-builder';

export const FUSES = {
  // Electron checklist #19. The server runs in a utilityProcess, so nothing needs ELECTRON_RUN_AS_NODE.
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  enableCookieEncryption: true,
  // The app serves its own pages from lightkeeper://, never file://.
  grantFileProtocolExtraPrivileges: false,
} as const;

export function builderConfig(electronDist?: string): Configuration {
  return {
    appId: 'dev.lightkeeper.desktop',
    productName: 'Lightkeeper',
    executableName: 'lightkeeper-desktop',
    copyright: 'Lightkeeper',
    directories: { output: 'dist/desktop', buildResources: 'resources' },
    extraMetadata: { main: 'out/main.js' },
    // main/'s own files (SQL) are read where their modules' sources sit: see build/desktop-bundle.ts.
    files: ['out/**/*', '!out/**/*.map', 'renderer/dist/**/*', 'main/**/*', '!main/**/*.ts', 'package.json'],
    asar: true,
    // pino writes its logs from worker threads, which load their files from disk, not from the archive.
    asarUnpack: ['node_modules/pino/**', 'node_modules/pino-roll/**', 'node_modules/thread-stream/**', 'node_modules/sonic-boom/**', 'node_modules/real-require/**'],
    // No native modules (SQLite is node:sqlite): nothing to rebuild, and no Electron headers to download.
    npmRebuild: false,
    electronFuses: FUSES,
    ...(electronDist ? { electronDist } : {}),
    icon: 'resources/icon.png',
    linux: { target: ['AppImage', 'deb'], category: 'Network', maintainer: 'Lightkeeper <lightkeeper@localhost>', synopsis: 'Integration Server and console for light-agent VM protection' },
    win: { target: ['nsis'] },
    nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
    mac: { target: ['dmg'], category: 'public.app-category.utilities', hardenedRuntime: true },
    publish: null,
  };
}
