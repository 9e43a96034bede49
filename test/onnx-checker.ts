// Independent check of models we write: Python's onnx.checker (Debian python3-onnx, onnx 1.12) on a file.
// Missing Python/onnx skips with a message on a user's clone and fails in CI (QB_CI=1).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PYTHONS = ['/usr/bin/python3', 'python3'];

function findPython(): string | undefined {
  for (const py of PYTHONS) {
    if (py.startsWith('/') && !existsSync(py)) continue;
    try {
      execFileSync(py, ['-c', 'import onnx'], { stdio: 'ignore' });
      return py;
    } catch {
      // try the next interpreter
    }
  }
  return undefined;
}

/** The Python with `onnx`, or undefined (and a warning) when there is none. */
export const checkerPython: string | undefined = (() => {
  const py = findPython();
  if (py === undefined && process.env.QB_CI === '1') throw new Error('CI needs python3-onnx (apt) as the independent model checker.');
  if (py === undefined) console.warn('[skip] python3 with the onnx package not found: onnx.checker tests are skipped on this clone.');
  return py;
})();

/** Runs onnx.checker.check_model(path, full_check) and returns "" when valid, else the checker's message. */
export function onnxCheck(path: string, fullCheck = true): string {
  const script = `import sys, onnx\ntry:\n    onnx.checker.check_model(sys.argv[1], full_check=${fullCheck ? 'True' : 'False'})\nexcept Exception as e:\n    print(str(e)[:2000])`;
  return execFileSync(checkerPython!, ['-c', script, path], { encoding: 'utf8' }).trim();
}
