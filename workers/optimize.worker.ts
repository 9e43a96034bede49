// CPU optimize worker: FP16 variants and CPU runs with the wasm-only build of onnxruntime-web (the default).
import * as Comlink from 'comlink';
import { createOptimizeApi } from './optimize-jobs';
import './transfer-errors';

Comlink.expose(createOptimizeApi());
