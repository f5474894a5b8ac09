// Layer rules of design §2, enforced the way VS Code enforces its layers: a layer may import only
// the layers below it. Each rule lists what a folder must NOT reach, matched on the import string.
import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';
import vueParser from 'vue-eslint-parser';

const layer = (name) => `(^|/)${name}(/|\\.ts$|$)`;
const forbid = (names, message) => ({
  regex: `(${names.map(layer).join('|')})`,
  message,
});
const nodeBuiltins = {
  regex: '^node:',
  message: 'This layer has no I/O: pass time, ids and data in instead of importing Node.',
};
const electron = { regex: '^electron', message: 'Only electron/ may import electron.' };
const labOnlyFromCliAndTests = forbid(['lab'], 'Nothing imports lab/ except the CLI and tests.');

const restrict = (files, patterns) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'dist/**', 'out/**', 'renderer/dist/**', 'tests/fixtures/**', 'coverage/**'],
  },
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parser: vueParser, parserOptions: { parser: tseslint.parser, sourceType: 'module' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  restrict(['main/contract/**'], [
    { regex: '^\\.\\./', message: 'contract imports nothing of ours.' },
    nodeBuiltins,
    electron,
  ]),
  restrict(['main/domain/**'], [
    forbid(['store', 'services', 'connectors', 'http', 'lab', 'server', 'cli'], 'domain imports only contract.'),
    nodeBuiltins,
    electron,
  ]),
  restrict(['main/store/**'], [
    forbid(['services', 'connectors', 'http', 'lab', 'server', 'cli'], 'store imports only domain and contract.'),
    electron,
  ]),
  restrict(['main/connectors/**'], [
    forbid(['store', 'services', 'http', 'lab', 'server', 'cli'], 'connectors import only domain and contract.'),
    electron,
  ]),
  restrict(['main/services/**'], [
    forbid(['http', 'lab', 'server', 'cli'], 'services import only domain, store and connectors.'),
    electron,
  ]),
  restrict(['main/http/**'], [
    forbid(['store', 'domain', 'connectors', 'lab', 'server', 'cli'], 'http imports only services and contract.'),
    electron,
  ]),
  restrict(['main/server.ts'], [labOnlyFromCliAndTests, electron]),
  restrict(['main/lab/**'], [forbid(['http', 'services', 'store', 'server', 'cli'], 'lab speaks the protocols; it reaches the server only over the network.'), electron]),
  restrict(['renderer/**'], [
    { regex: '^(\\.\\./)+main/(?!contract/)', message: 'renderer imports only main/contract.' },
    nodeBuiltins,
    electron,
  ]),
  restrict(['electron/**'], [
    { regex: '^(\\.\\./)+main/(?!contract/|server\\.ts$)', message: 'electron imports only main/server.ts and main/contract.' },
  ]),
  // Electron's checklist items that electronegativity does not check (#17, #18, #20), kept by lint.
  {
    files: ['electron/**/*.ts'],
    ignores: ['electron/ipc.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='ipcMain'][property.name=/^(handle|handleOnce|on|once)$/]", message: 'Register IPC through electron/ipc.ts, which validates every sender (checklist #17).' },
        { selector: "CallExpression[callee.property.name='loadFile']", message: 'No file:// pages: serve them under lightkeeper://app (checklist #18).' },
        { selector: "CallExpression[callee.property.name='exposeInMainWorld'] Identifier[name='ipcRenderer']", message: 'Expose named functions, never ipcRenderer (checklist #20).' },
        { selector: "Property[key.name=/^(nodeIntegration|nodeIntegrationInWorker|nodeIntegrationInSubFrames|allowRunningInsecureContent|experimentalFeatures|webviewTag)$/][value.value=true]", message: 'This web preference stays false.' },
        { selector: "Property[key.name=/^(contextIsolation|sandbox|webSecurity)$/][value.value=false]", message: 'This web preference stays true.' },
      ],
    },
  },
);
