// `npm run bench`: every benchmark, JSON out (bench-results/bench.json). Heavy runs live here, not in tests.
// Run `npm run build` first: the browser benchmark drives the production build.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchBrowserEval } from './bench-browser';
import { benchCalibration } from './bench-calibration';
import { benchDecode } from './bench-decode';
import { benchInt8Speed } from './bench-int8-speed';
import { formatSpeed } from './bench-speed';

const out = resolve(dirname(fileURLToPath(import.meta.url)), '../bench-results/bench.json');
const decode = benchDecode({ sizeMB: 120 });
const calibration = await benchCalibration();
const browserEval = await benchBrowserEval();
// FP32 / FP16 / plain INT8 / runtime-aware INT8 of SqueezeNet, DeepLabV3 and YOLOX-nano, timed in Chromium (2 threads).
const int8Speed = await benchInt8Speed();
console.log(formatSpeed(int8Speed.speed));
const result = { date: new Date().toISOString(), node: process.version, decode, calibration, browserEval, int8Speed };
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
