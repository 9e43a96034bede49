// GPU worker: the same optimize API with onnxruntime-web's WebGPU build, loaded only when a WebGPU run is asked
// for. A worker of its own because ORT's env (threads, log capture) is global per loaded module.
import * as Comlink from 'comlink';
import { selectOrtBuild } from '../src/runtime/ort';
import { createOptimizeApi } from './optimize-jobs';
import './transfer-errors';

selectOrtBuild('webgpu');
Comlink.expose(createOptimizeApi());
