// Image decoding with the browser's own codecs (createImageBitmap + OffscreenCanvas), for use in workers.
import { QbError } from '../shared/errors';

export interface DecodedImage {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel, row-major. */
  rgba: Uint8ClampedArray;
}

/**
 * Decodes a JPEG/PNG/WebP/BMP/GIF blob to RGBA, applying EXIF orientation.
 * @throws QbError('bad-image') when the browser cannot decode it.
 */
export async function decodeImage(blob: Blob, name: string): Promise<DecodedImage> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image', colorSpaceConversion: 'none' });
  } catch (err) {
    throw new QbError('bad-image', `"${name}" could not be decoded as an image. It may be damaged or in a format this browser does not read.`, String(err));
  }
  const { width, height } = bitmap;
  const ctx = canvasOfSize(width, height);
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  return { width, height, rgba: ctx.getImageData(0, 0, width, height).data };
}

// One canvas reused for every image: creating a canvas and context per image cost ~3 ms, as much as
// inferring a small model (measured on the CIFAR set in scripts/bench-browser.ts).
let shared: OffscreenCanvasRenderingContext2D | undefined;

function canvasOfSize(width: number, height: number): OffscreenCanvasRenderingContext2D {
  if (shared === undefined) {
    const ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
    if (ctx === null) throw new QbError('bad-image', 'This browser cannot read image pixels in the background (no OffscreenCanvas 2D).');
    shared = ctx;
  }
  const canvas = shared.canvas;
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width; // resizing also clears it
    canvas.height = height;
  } else {
    shared.clearRect(0, 0, width, height); // transparent pixels must not show the previous image
  }
  return shared;
}
