// The main-process side of `window.lightkeeper` (contract: main/contract/desktop.ts). Each handler
// validates its arguments itself: they come from a web page.
import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import type { OpenDialogOptions, OpenDialogReturnValue, Shell } from 'electron';
import { DESKTOP_CHANNELS as C, SVM_IMAGE_EXTENSIONS, type AppVersions, type ServerStatus } from '../main/contract/desktop.ts';
import { openExternalSafely } from './external-links.ts';
import type { Handlers } from './ipc.ts';
import type { PassphraseBroker } from './passphrase-broker.ts';

export type DesktopApiDeps = {
  status(): ServerStatus;
  versions(): AppVersions;
  dataFolder: string;
  shell: Pick<Shell, 'openExternal' | 'showItemInFolder'>;
  showOpenDialog(options: OpenDialogOptions): Promise<OpenDialogReturnValue>;
  retry(): void;
  broker: Pick<PassphraseBroker, 'submit'>;
};

/** True for an existing file inside `folder`, symbolic links resolved, so a page cannot point outside. */
export function isInsideFolder(folder: string, candidate: unknown): candidate is string {
  if (typeof candidate !== 'string' || !isAbsolute(candidate) || !existsSync(candidate) || !existsSync(folder)) return false;
  const path = relative(realpathSync(folder), realpathSync(candidate));
  return path !== '' && !path.startsWith('..') && !isAbsolute(path);
}

export function desktopHandlers(deps: DesktopApiDeps): Handlers {
  return {
    [C.serverInfo]: () => {
      const status = deps.status();
      return status.state === 'running' ? status.server : null;
    },
    [C.appVersions]: () => deps.versions(),
    [C.openExternal]: (url) => openExternalSafely(deps.shell, url),
    [C.showInFolder]: (path) => {
      if (!isInsideFolder(deps.dataFolder, path)) return false;
      deps.shell.showItemInFolder(path);
      return true;
    },
    [C.chooseSvmImage]: async () => {
      const result = await deps.showOpenDialog({
        title: 'Choose an SVM image',
        properties: ['openFile'],
        filters: [{ name: 'SVM images', extensions: [...SVM_IMAGE_EXTENSIONS] }],
      });
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    [C.retryServer]: () => deps.retry(),
    [C.submitPassphrase]: (passphrase) => deps.broker.submit(passphrase),
  };
}
