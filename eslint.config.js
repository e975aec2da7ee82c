// Lint for the TypeScript of the addon loader, pktstat-top, tests and benchmarks (`make lint`).
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// pktstat-top's folders (tui/src/*/README.md) and the folders each may import from: the modes
// share the window semantics and never use each other; cli/ is the only one that sees them all.
const TUI_FOLDERS = {
  args: [],
  windows: [],
  rules: ['args'],
  export: ['args', 'windows'],
  serve: ['args', 'windows'],
  dashboard: ['args', 'windows', 'rules'],
  cli: ['args', 'windows', 'rules', 'export', 'serve', 'dashboard'],
};

const folderLayers = Object.entries(TUI_FOLDERS).map(([folder, allowed]) => {
  const forbidden = Object.keys(TUI_FOLDERS).filter((f) => f !== folder && !allowed.includes(f));
  return {
    files: [`tui/src/${folder}/**`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `(^|/)(${forbidden.join('|')})/`,
              message: `tui/src/${folder}/ may import only from ${allowed.join(', ') || 'no other folder'} (eslint.config.js)`,
            },
          ],
        },
      ],
    },
  };
});

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ['**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    // Tests and benchmarks index arrays they just filled; a wrong assertion there fails the test anyway.
    files: ['test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  ...folderLayers,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
