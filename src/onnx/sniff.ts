// Recognises common files that are not ONNX models, so a wrong drop gets a message that says what it is.

/** What a non-ONNX file most likely is, with advice for the user; undefined when nothing matched. */
export interface SniffResult {
  kind: string;
  advice: string;
}

function startsWith(bytes: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (bytes.length < at + sig.length) return false;
  return sig.every((b, i) => bytes[at + i] === b);
}

function ascii(s: string): number[] {
  return Array.from(s, (c) => c.charCodeAt(0));
}

function containsAscii(bytes: Uint8Array, needle: string, limit: number): boolean {
  const hay = bytes.subarray(0, Math.min(limit, bytes.length));
  const n = ascii(needle);
  outer: for (let i = 0; i + n.length <= hay.length; i++) {
    for (let j = 0; j < n.length; j++) if (hay[i + j] !== n[j]) continue outer;
    return true;
  }
  return false;
}

/** True when the first KiB is valid UTF-8 without control characters other than tab/CR/LF. */
function isText(bytes: Uint8Array): boolean {
  let head = bytes.subarray(0, 1024);
  if (head.length === 0) return false;
  // Do not fail on a multi-byte character cut by the 1 KiB window: drop a trailing partial sequence.
  if (bytes.length > head.length) {
    let cut = head.length;
    while (cut > head.length - 4 && cut > 0 && (head[cut - 1]! & 0xc0) === 0x80) cut--;
    if (cut > 0 && head[cut - 1]! >= 0xc0) cut--;
    head = head.subarray(0, cut);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(head);
  } catch {
    return false;
  }
  // eslint-disable-next-line no-control-regex -- control characters are exactly what we look for
  return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text);
}

/**
 * Looks at the first bytes of a file and names well-known non-ONNX formats (images, archives,
 * other frameworks' model files, text). Only strong signatures are used before decoding; text is a guess.
 */
export function sniffNonOnnx(bytes: Uint8Array): SniffResult | undefined {
  const image = 'Drop images in the dataset step, not as the model.';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47])) return { kind: 'a PNG image', advice: image };
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { kind: 'a JPEG image', advice: image };
  if (startsWith(bytes, ascii('GIF8'))) return { kind: 'a GIF image', advice: image };
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return { kind: 'a WebP image', advice: image };
  if (startsWith(bytes, ascii('%PDF'))) return { kind: 'a PDF document', advice: 'Choose the .onnx model file instead.' };
  if (startsWith(bytes, [0x1f, 0x8b])) return { kind: 'a gzip archive', advice: 'Unpack it first, then drop the .onnx file inside.' };
  if (startsWith(bytes, ascii('TFL3'), 4)) {
    return { kind: 'a TensorFlow Lite model', advice: 'Convert it to ONNX first (for example with tf2onnx: python -m tf2onnx.convert --tflite model.tflite).' };
  }
  if (startsWith(bytes, [0x89, 0x48, 0x44, 0x46])) {
    return { kind: 'a Keras/HDF5 model', advice: 'Convert it to ONNX first (for example with tf2onnx).' };
  }
  if (startsWith(bytes, ascii('PK'))) {
    if (containsAscii(bytes, 'data.pkl', 4096) || containsAscii(bytes, '/data/', 4096)) {
      return { kind: 'a PyTorch checkpoint', advice: 'Export it to ONNX first with torch.onnx.export(model, example_input, "model.onnx").' };
    }
    return { kind: 'a ZIP archive', advice: 'Unzip it and drop the .onnx file inside.' };
  }
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1]! >= 2 && bytes[1]! <= 5) {
    return { kind: 'a Python pickle (an old PyTorch checkpoint?)', advice: 'Export it to ONNX first with torch.onnx.export.' };
  }
  if (bytes.length > 10 && bytes[8] === 0x7b && bytes[9] === 0x22) {
    return { kind: 'a safetensors weights file', advice: 'It holds weights only, without a graph. Export the model to ONNX first.' };
  }
  return undefined;
}

/** Guess used only after decoding failed: is this a text file (JSON, CSV, a label list…)? */
export function looksLikeText(bytes: Uint8Array): SniffResult | undefined {
  if (!isText(bytes)) return undefined;
  const first = bytes.find((b) => b !== 32 && b !== 9 && b !== 10 && b !== 13 && b !== 0xef && b !== 0xbb && b !== 0xbf);
  const kind = first === 0x7b || first === 0x5b ? 'a JSON text file' : 'a text file';
  return { kind, advice: 'ONNX models are binary files, usually ending in .onnx.' };
}
