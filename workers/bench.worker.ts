// CPU bench worker: the benchmark loop with the wasm-only build of onnxruntime-web. It runs alone (see bench-api.ts).
import * as Comlink from 'comlink';
import { createBenchApi } from './bench-jobs';
import './transfer-errors';

Comlink.expose(createBenchApi());
