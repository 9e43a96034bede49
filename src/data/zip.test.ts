// Zip datasets (fflate-built archives): what is unpacked and what is skipped, corrupt archives, and zip bombs
// refused by their declared sizes before inflating; plus the sorting of dropped files by extension.
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { QbError } from '../shared/errors';
import { IMAGE_EXTENSIONS, sortDroppedFiles } from './dataset-files';
import { unzipDataset, unzipImages } from './zip';

const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(QbError);
    return (err as QbError).code;
  }
  return 'no error';
}

/** Rewrites the declared uncompressed size of every member in the central directory (a lying archive). */
function setDeclaredSizes(zip: Uint8Array, size: number): Uint8Array {
  const out = zip.slice();
  const dv = new DataView(out.buffer);
  for (let i = 0; i + 28 <= out.length; i++) if (dv.getUint32(i, true) === 0x02014b50) dv.setUint32(i + 24, size, true);
  return out;
}

describe('unzipImages', () => {
  it('unpacks images and label files with their folders, skipping folders, __MACOSX/ and dotfiles', () => {
    const zip = zipSync({
      'cifar/': {},
      'cifar/cat/0001.jpg': jpeg,
      'cifar/dog/0001.PNG': jpeg,
      'cifar/labels.csv': new TextEncoder().encode('file,label\n'),
      'cifar/.DS_Store': new Uint8Array([0]),
      '__MACOSX/cifar/cat/._0001.jpg': new Uint8Array([0]),
      'cifar/model.onnx': new Uint8Array(10),
    });
    const { files, skipped } = unzipDataset(zip);
    expect(files.map((f) => f.path).sort()).toEqual(['cifar/cat/0001.jpg', 'cifar/dog/0001.PNG', 'cifar/labels.csv']);
    expect([...files.find((f) => f.path === 'cifar/cat/0001.jpg')!.bytes]).toEqual([...jpeg]);
    expect(skipped).toEqual(['cifar/model.onnx']);
    expect(unzipImages(zip).length).toBe(3);
  });

  it('unpacks stored and deflated members alike, and an empty archive to nothing', () => {
    const stored = zipSync({ 'a.jpg': jpeg }, { level: 0 });
    const deflated = zipSync({ 'a.jpg': new Uint8Array(5000).fill(7) }, { level: 9 });
    expect(unzipImages(stored)[0]!.bytes).toEqual(jpeg);
    expect(unzipImages(deflated)[0]!.bytes.length).toBe(5000);
    expect(unzipImages(zipSync({}))).toEqual([]);
  });

  it('refuses a corrupt or non-zip file with a plain message', () => {
    const zip = zipSync({ 'a.jpg': new Uint8Array(5000).fill(7) }, { level: 9 });
    const damaged = zip.slice();
    damaged.fill(0xff, 40, 80); // inside the deflate stream
    expect(codeOf(() => unzipImages(damaged))).toBe('corrupt');
    expect(codeOf(() => unzipImages(new TextEncoder().encode('not a zip at all')))).toBe('corrupt');
    expect(codeOf(() => unzipImages(zip.subarray(0, zip.length - 30)))).toBe('corrupt');
    expect(() => unzipImages(new Uint8Array(100))).toThrow(/damaged or not a zip/);
  });

  it('refuses an archive whose declared sizes exceed the budget before inflating anything', () => {
    // 1 MB of zeros deflates to ~1 kB: a small bomb. With a 100 kB budget it is refused.
    const bomb = zipSync({ 'a.jpg': new Uint8Array(1_000_000) }, { level: 9 });
    expect(bomb.length).toBeLessThan(5000);
    expect(codeOf(() => unzipImages(bomb, 100_000))).toBe('too-large');
    // A member that claims 4 GB is refused even under the default 2 GB budget, without allocating.
    expect(codeOf(() => unzipImages(setDeclaredSizes(bomb, 0xffffffff)))).toBe('too-large');
    // Several members add up.
    const many = zipSync({ 'a.jpg': new Uint8Array(60_000), 'b.jpg': new Uint8Array(60_000) }, { level: 9 });
    expect(codeOf(() => unzipImages(many, 100_000))).toBe('too-large');
    expect(unzipImages(many, 120_000)).toHaveLength(2);
  });

  it('never writes more than a member declares, even when the archive lies about it', () => {
    const liar = setDeclaredSizes(zipSync({ 'a.jpg': new Uint8Array(1_000_000) }, { level: 9 }), 100);
    const files = unzipImages(liar, 1000);
    expect(files[0]!.bytes.length).toBe(100);
  });
});

describe('sortDroppedFiles', () => {
  it('sorts by extension, case-insensitively, and ignores system clutter', () => {
    const sorted = sortDroppedFiles([
      'ds/cat/1.JPG', 'ds/cat/2.jpeg', 'ds/b.png', 'ds/c.webp', 'ds/d.bmp', 'ds/e.gif',
      'ds/labels.csv', 'ds/val.txt', 'ds/x.tsv', 'more.zip', 'in.npy', 'in.npz', 'model.onnx',
      'ds/._1.jpg', '__MACOSX/ds/1.jpg', 'ds/Thumbs.db', 'ds/notes.docx', 'ds/README',
    ]);
    expect(sorted).toEqual({
      images: ['ds/cat/1.JPG', 'ds/cat/2.jpeg', 'ds/b.png', 'ds/c.webp', 'ds/d.bmp', 'ds/e.gif'],
      labelFiles: ['ds/labels.csv', 'ds/val.txt', 'ds/x.tsv'],
      archives: ['more.zip'],
      tensors: ['in.npy', 'in.npz'],
      models: ['model.onnx'],
      ignored: ['ds/._1.jpg', '__MACOSX/ds/1.jpg', 'ds/Thumbs.db', 'ds/notes.docx', 'ds/README'],
    });
    expect(IMAGE_EXTENSIONS).toContain('jpeg');
  });
});
