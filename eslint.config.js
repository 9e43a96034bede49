// ESLint: TypeScript rules plus the layer rule of ../shared/docs/architecture.md —
// ui -> state -> workers -> pipeline -> runtime -> quant/data -> onnx (shared/ is below everything).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Forbids importing the given layers (folder names) from the files of one layer. */
function layer(files, forbiddenLayers, extra = []) {
  const patterns = forbiddenLayers.map((name) => ({
    group: [`**/${name}/*`, `**/${name}`],
    message: `Layer rule: this folder must not import from ${name}/ (see architecture.md: dependencies point one way).`,
    allowTypeImports: true,
  }));
  return {
    files,
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: extra, patterns }],
    },
  };
}

const ORT = [
  { name: 'onnxruntime-web', message: 'Only src/runtime/ imports onnxruntime-web.', allowTypeImports: true },
  { name: 'onnxruntime-web/wasm', message: 'Only src/runtime/ imports onnxruntime-web.', allowTypeImports: true },
  { name: 'onnxruntime-web/webgpu', message: 'Only src/runtime/ imports onnxruntime-web.', allowTypeImports: true },
];
const UI_LIBS = ['react', 'react-dom', 'react-dom/client', 'zustand', 'recharts', 'comlink'].map((name) => ({
  name,
  message: 'Pure core: no UI, state or worker libraries here.',
  allowTypeImports: true,
}));

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'scratch/', 'bench-results/', 'e2e/.fixtures/', 'playwright-report/', 'test-results/', 'src/onnx/proto/onnx_pb.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Named exports only.' }],
    },
  },
  // Tools that require a default export.
  { files: ['eslint.config.js', 'vite.config.ts', 'playwright.config.ts', 'e2e/global-setup.ts'], rules: { 'no-restricted-syntax': 'off' } },
  layer(['src/shared/**'], ['onnx', 'quant', 'data', 'runtime', 'pipeline', 'state', 'ui', 'cli', 'workers'], [...ORT, ...UI_LIBS]),
  layer(['src/onnx/**'], ['quant', 'data', 'runtime', 'pipeline', 'state', 'ui', 'cli', 'workers'], [...ORT, ...UI_LIBS]),
  layer(['src/quant/**', 'src/data/**'], ['runtime', 'pipeline', 'state', 'ui', 'cli', 'workers'], [...ORT, ...UI_LIBS]),
  layer(['src/runtime/**'], ['pipeline', 'state', 'ui', 'cli', 'workers'], UI_LIBS),
  layer(['src/pipeline/**'], ['state', 'ui', 'cli', 'workers'], [...ORT, ...UI_LIBS]),
  layer(['workers/**'], ['state', 'ui', 'cli'], [...ORT, { name: 'react', message: 'Workers have no UI.' }, { name: 'zustand', message: 'Workers hold no app state.' }]),
  layer(['src/state/**'], ['ui', 'cli', 'runtime', 'pipeline'], ORT),
  layer(['src/ui/**', 'src/main.tsx'], ['workers', 'runtime', 'pipeline', 'cli', 'onnx', 'data', 'quant'], ORT),
  layer(['src/cli/**'], ['state', 'ui', 'workers']),
  // The benchmark harness page is a UI entry without React: it may start workers (clients), nothing below them.
  layer(['src/bench-page/**'], ['state', 'ui', 'runtime', 'pipeline', 'cli', 'onnx', 'data', 'quant'], [...ORT, ...['react', 'react-dom', 'react-dom/client', 'zustand', 'recharts'].map((name) => ({ name, message: 'The harness page has no UI framework.', allowTypeImports: true }))]),
  { files: ['**/*.test.ts', 'test/**', 'scripts/**', 'e2e/**'], rules: { '@typescript-eslint/no-restricted-imports': 'off' } },
);
