// The inference engine's memory: onnxruntime-web's WebAssembly heap, seen by wrapping WebAssembly.Memory before
// ORT starts. A WebAssembly heap only grows, so its size is the engine's peak since this worker started.
const memories: WebAssembly.Memory[] = [];
let installed = false;

/** Call before the engine loads (loadOrt does): memories created earlier are not seen. Idempotent. */
export function installEngineMemoryWatch(): void {
  if (installed || typeof WebAssembly === 'undefined') return;
  installed = true;
  const Original = WebAssembly.Memory;
  // Emscripten creates the heap with `new WebAssembly.Memory(...)` in JS (threaded builds share it with their
  // pthreads): the wrapper keeps a reference and returns the real object, prototype and all.
  const Watched = function (this: unknown, descriptor: WebAssembly.MemoryDescriptor): WebAssembly.Memory {
    const memory = new Original(descriptor);
    memories.push(memory);
    return memory;
  } as unknown as typeof WebAssembly.Memory;
  Watched.prototype = Original.prototype;
  WebAssembly.Memory = Watched;
}

/** Bytes of every WebAssembly heap created since installEngineMemoryWatch() (the engine's peak so far). */
export function engineMemoryBytes(): number {
  return memories.reduce((sum, m) => sum + m.buffer.byteLength, 0);
}
