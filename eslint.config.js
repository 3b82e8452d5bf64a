// Lint: typescript-eslint with type-aware rules, import cycles and the layer boundaries of DESIGN.md ("dependencies
// point inwards"), and a line-length limit. Formatting is Prettier's (.prettierrc.json); `npm run lint` runs both.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import stylistic from '@stylistic/eslint-plugin';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/**
 * What each folder of src/ may import besides itself (and node/npm packages): the layers of DESIGN.md, bottom up.
 * A folder missing here (http, cli) may import any other.
 */
const BASE = ['core', 'config', 'platform', 'store'];
const LAYERS = {
  core: [],
  config: ['core'],
  platform: ['core', 'config'],
  store: ['core', 'config', 'platform'],
  upstream: ['core', 'config', 'platform'],
  translate: ['core', 'platform'],
  accounting: BASE,
  scheduling: BASE,
  providers: [...BASE, 'upstream', 'translate', 'accounting', 'scheduling'],
  accounts: [...BASE, 'upstream', 'translate', 'accounting', 'scheduling', 'providers'],
  admin: [...BASE, 'upstream', 'accounting', 'scheduling', 'providers', 'accounts'],
  keys: [...BASE, 'accounting', 'admin'],
  relay: [...BASE, 'upstream', 'translate', 'accounting', 'scheduling', 'providers', 'accounts', 'keys'],
  ops: [...BASE, 'upstream', 'accounting', 'scheduling', 'providers', 'accounts', 'admin', 'keys', 'relay'],
  migrate: [...BASE, 'upstream', 'accounting', 'scheduling', 'providers', 'accounts', 'admin', 'keys'],
};
const ALL = [...Object.keys(LAYERS), 'http', 'cli'];
const zones = Object.entries(LAYERS).map(([layer, allowed]) => ({
  target: `./src/${layer}`,
  from: ALL.filter((x) => x !== layer && !allowed.includes(x)).map((x) => `./src/${x}`),
  message: `src/${layer} may import only ${allowed.length ? allowed.join(', ') : 'nothing else in src'} (DESIGN.md, Layout)`,
}));
// HTTP handlers reach the store only through services (P11); the wiring in src/*.ts may import anything.
zones.push({ target: './src/http', from: ['./src/store'], message: 'http does not use the store directly; go through a service' });

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'bench/.build/', 'web/', 'test/artifacts/', 'bundle/', 'images/', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX, '@stylistic': stylistic },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver()] },
    rules: {
      // Type-aware: promises are awaited or explicitly voided, never passed where a callback result is ignored.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { zones }],
      '@stylistic/max-len': ['error', { code: 160, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'Use the injected clock (core/clock.ts).' },
      ],
    },
  },
  { files: ['src/core/clock.ts', '**/*.test.ts', 'test/**', 'bench/**', 'scripts/**'], rules: { 'no-restricted-syntax': 'off' } },
  // undici's index loads all of undici (~3 MB of heap the relay does not use): its parts come from upstream/undici-parts.ts.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts', 'src/upstream/undici-parts.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: [{ name: 'undici', allowTypeImports: true, message: 'Import undici values from upstream/undici-parts.ts.' }] },
      ],
    },
  },
  // node:test's test() and describe() return promises the runner awaits; tests may use `any` for wire payloads.
  { files: ['**/*.test.ts', 'test/**'], rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-explicit-any': 'off' } },
);
