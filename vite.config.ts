/// <reference types="vitest/config" />
// Vite: dev server, production build and vitest. COOP/COEP on every server so onnxruntime-web gets threads.
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Cross-origin isolation makes SharedArrayBuffer available, which onnxruntime-web needs for more than one
// thread. Without these two headers ORT silently falls back to a single thread.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react()],
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  worker: { format: 'es' },
  // Pre-bundling would make the dev server answer ORT's .wasm requests with HTML ("expected magic word").
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 1500,
    // A second page: the benchmark harness the CLI and scripts drive in Chromium (src/cli/browser.ts).
    rolldownOptions: { input: { main: resolve(import.meta.dirname, 'index.html'), bench: resolve(import.meta.dirname, 'src/bench-page/index.html') } },
  },
  test: {
    include: ['src/**/*.test.ts', 'workers/**/*.test.ts', 'scripts/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    pool: 'forks',
  },
});
