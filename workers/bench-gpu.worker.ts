// WebGPU bench worker: the same bench API with onnxruntime-web's WebGPU build, which also runs the CPU provider.
// A worker of its own because ORT's build and env (threads, log capture) are fixed per realm.
import * as Comlink from 'comlink';
import { selectOrtBuild } from '../src/runtime/ort';
import { createBenchApi } from './bench-jobs';
import './transfer-errors';

selectOrtBuild('webgpu');
Comlink.expose(createBenchApi());
