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
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (ctx === null) throw new QbError('bad-image', 'This browser cannot read image pixels in the background (no OffscreenCanvas 2D).');
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  return { width, height, rgba: ctx.getImageData(0, 0, width, height).data };
}
