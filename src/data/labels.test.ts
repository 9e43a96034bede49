// Label detection and mapping on the real shared label files and image names (../shared/data), plus hand-made
// mismatches: every label or image that is not matched must show up as a problem.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasSharedData, sharedPath } from '../../test/shared-data';
import { detectLabels, mapLabels } from './labels';
import type { DatasetProblem } from './types';

const shared = hasSharedData();
const labelFile = (name: string): { name: string; text: string } => ({ name, text: readFileSync(sharedPath('labels', name), 'utf8') });
const imagesIn = (folder: string): string[] => readdirSync(sharedPath('images', folder)).sort().map((f) => `${folder}/${f}`);
const byKind = (problems: DatasetProblem[], kind: DatasetProblem['kind']): DatasetProblem[] => problems.filter((p) => p.kind === kind);

/** file -> class_index of a shared CSV (file,class_index,synset,name). */
function csvIndex(name: string): Map<string, number> {
  const lines = readFileSync(sharedPath('labels', name), 'utf8').trim().split('\n').slice(1);
  return new Map(lines.map((l) => l.split(',')).map(([f, i]) => [f!.replace(/"/g, ''), Number(i)]));
}

describe.runIf(shared)('ImageNet val.txt (imagenet-val-1300)', () => {
  const images = shared ? imagesIn('imagenet-val-1300') : [];
  const expected = shared ? csvIndex('imagenet-val-1300.csv') : new Map<string, number>();

  it('maps all 1300 images with offset 0 for a 1000-class model', () => {
    expect(images).toHaveLength(1300);
    const detected = detectLabels(images, [labelFile('imagenet-val-1300.txt'), labelFile('imagenet_classes.txt')]);
    expect(detected.source).toBe('val-txt');
    expect(detected.labelFile).toBe('imagenet-val-1300.txt');
    expect(detected.classListFile).toBe('imagenet_classes.txt');
    expect(detected.classList?.names).toHaveLength(1000);
    expect(detected.problems).toEqual([]);
    const { byImage, mapping, problems } = mapLabels(detected, 1000, detected.classList);
    expect(problems).toEqual([]);
    expect(mapping).toMatchObject({ source: 'val-txt', offset: 0, outputClasses: 1000 });
    expect(byImage.size).toBe(1300);
    for (const path of images) expect(byImage.get(path)).toBe(expected.get(path.split('/')[1]!));
  });

  it('adds 1 for a 1001-class (TF background) model, and keeps the _1001class file as it is', () => {
    const detected = detectLabels(images, [labelFile('imagenet-val-1300.txt')]);
    const plus = mapLabels(detected, 1001, null);
    expect(plus.mapping.offset).toBe(1);
    expect(plus.mapping.description).toMatch(/\+1/);
    for (const path of images) expect(plus.byImage.get(path)).toBe(expected.get(path.split('/')[1]!)! + 1);

    const d1001 = detectLabels(images, [labelFile('imagenet-val-1300_1001class.txt')]);
    expect(d1001.source).toBe('val-txt');
    const same = mapLabels(d1001, 1001, null);
    expect(same.mapping.offset).toBe(0);
    expect(same.problems).toEqual([]);
    for (const path of images) expect(same.byImage.get(path)).toBe(expected.get(path.split('/')[1]!)! + 1);
    // ... and on a 1000-class model the 1-based file is shifted back.
    const back = mapLabels(d1001, 1000, null);
    expect(back.mapping.offset).toBe(-1);
    for (const path of images) expect(back.byImage.get(path)).toBe(expected.get(path.split('/')[1]!));
  });

  it('honours a forced offset', () => {
    const detected = detectLabels(images, [labelFile('imagenet-val-1300.txt')]);
    const forced = mapLabels(detected, 1001, null, 0);
    expect(forced.mapping.offset).toBe(0);
    expect(forced.byImage.get(images[0]!)).toBe(expected.get(images[0]!.split('/')[1]!));
  });

  it('reads the same labels from the CSV (class_index column)', () => {
    const detected = detectLabels(images, [labelFile('imagenet-val-1300.csv')]);
    expect(detected.source).toBe('csv');
    const { byImage, problems } = mapLabels(detected, 1000, null);
    expect(problems).toEqual([]);
    for (const path of images) expect(byImage.get(path)).toBe(expected.get(path.split('/')[1]!));
  });

  it('prefers the CSV over a val.txt and says the other file was not used', () => {
    const detected = detectLabels(images, [labelFile('imagenet-val-1300.txt'), labelFile('imagenet-val-1300.csv')]);
    expect(detected).toMatchObject({ source: 'csv', labelFile: 'imagenet-val-1300.csv' });
    expect(byKind(detected.problems, 'unsupported-file')[0]!.items).toEqual(['imagenet-val-1300.txt']);
  });

  it('reports labels of absent images when a val.txt lists more files (the full 50,000-image ground truth)', () => {
    const detected = detectLabels(images.slice(0, 1000), [labelFile('ILSVRC2012_val_ground_truth_caffe.txt')]);
    expect(detected.source).toBe('val-txt');
    expect(detected.labels.size).toBe(1000);
    const missing = byKind(detected.problems, 'label-without-image');
    expect(missing).toHaveLength(1);
    expect(missing[0]!.count).toBe(49000);
    expect(missing[0]!.items).toHaveLength(50);
    const { byImage, problems } = mapLabels(detected, 1000, null);
    expect(problems).toEqual([]);
    for (const path of images.slice(0, 1000)) expect(byImage.get(path)).toBe(expected.get(path.split('/')[1]!));
  });

  it('reports images a val.txt does not list, and lines it cannot read', () => {
    const lines = readFileSync(sharedPath('labels', 'imagenet-val-1300.txt'), 'utf8').trim().split('\n');
    const text = ['./data/NOT_THERE_1.JPEG, 5', 'this line is not a label', ...lines.slice(10)].join('\n');
    const detected = detectLabels(images, [{ name: 'val.txt', text }]);
    expect(detected.source).toBe('val-txt');
    expect(byKind(detected.problems, 'label-without-image')[0]).toMatchObject({ count: 1, items: ['./data/NOT_THERE_1.JPEG'] });
    expect(byKind(detected.problems, 'image-without-label')[0]!.count).toBe(10);
    expect(byKind(detected.problems, 'bad-label-line')[0]).toMatchObject({ count: 1, items: ['val.txt:2: this line is not a label'] });
  });
});

describe.runIf(shared)('ImageNet sample (synset in the file name)', () => {
  const images = shared ? imagesIn('imagenet-sample') : [];
  const expected = shared ? csvIndex('imagenet-sample-labels.csv') : new Map<string, number>();

  it('maps all 250 file-name synsets through LOC_synset_mapping.txt to the CSV class_index', () => {
    expect(images).toHaveLength(250);
    const detected = detectLabels(images, [labelFile('LOC_synset_mapping.txt')]);
    expect(detected.source).toBe('file-name');
    expect(detected.classList?.synsets?.[0]).toBe('n01440764');
    expect(detected.classList?.names[0]).toBe('tench, Tinca tinca');
    expect(detected.problems).toEqual([]);
    const { byImage, mapping, problems } = mapLabels(detected, 1000, detected.classList);
    expect(problems).toEqual([]);
    expect(mapping.offset).toBe(0);
    expect(byImage.size).toBe(250);
    for (const path of images) expect(byImage.get(path)).toBe(expected.get(path.split('/')[1]!));
  });

  it('maps the same through synset_words.txt, and +1 for a 1001-class model', () => {
    const detected = detectLabels(images, [labelFile('synset_words.txt')]);
    const { byImage, mapping } = mapLabels(detected, 1001, detected.classList);
    expect(mapping.offset).toBe(1);
    for (const path of images) expect(byImage.get(path)).toBe(expected.get(path.split('/')[1]!)! + 1);
  });

  it('reads the quoted CSV and prefers it over file names', () => {
    const detected = detectLabels(images, [labelFile('imagenet-sample-labels.csv'), labelFile('LOC_synset_mapping.txt')]);
    expect(detected.source).toBe('csv');
    const { byImage, problems } = mapLabels(detected, 1000, detected.classList);
    expect(problems).toEqual([]);
    for (const path of images) expect(byImage.get(path)).toBe(expected.get(path.split('/')[1]!));
  });

  it('matches torchvision names (case, underscores) and LOC aliases through a class list', () => {
    const csv = 'file,label\nn01440764_tench.JPEG,Tench\nn01494475_hammerhead.JPEG,hammerhead_shark\nn01514859_hen.JPEG,unicorn\n';
    const detected = detectLabels(images, [{ name: 'labels.csv', text: csv }, labelFile('LOC_synset_mapping.txt')]);
    expect(detected.source).toBe('csv');
    expect(byKind(detected.problems, 'image-without-label')[0]!.count).toBe(247);
    const { byImage, problems } = mapLabels(detected, 1000, detected.classList);
    expect(byImage.get('imagenet-sample/n01440764_tench.JPEG')).toBe(0);
    expect(byImage.get('imagenet-sample/n01494475_hammerhead.JPEG')).toBe(4);
    expect(byKind(problems, 'unknown-class')[0]).toMatchObject({ count: 1, items: ['imagenet-sample/n01514859_hen.JPEG: unicorn'] });
  });

  it('reports a CSV class without a class list as unknown, never dropping it silently', () => {
    const detected = detectLabels(images.slice(0, 2), [{ name: 'l.csv', text: 'filename,class\nn01440764_tench.JPEG,tench\nn01443537_goldfish.JPEG,goldfish\n' }]);
    const { byImage, problems } = mapLabels(detected, 1000, null);
    expect(byImage.size).toBe(0);
    expect(byKind(problems, 'unknown-class')[0]!.count).toBe(1);
    expect(byKind(detected.problems, 'label-without-image')[0]!.items).toEqual(['n01443537_goldfish.JPEG']);
  });
});

describe.runIf(shared)('CIFAR-10 (folder per class)', () => {
  const classes = shared ? readdirSync(sharedPath('images', 'cifar10-test-1000')).sort() : [];
  const images = classes.flatMap((c) => readdirSync(sharedPath('images', 'cifar10-test-1000', c)).map((f) => `cifar10-test-1000/${c}/${f}`));
  const order = shared ? readFileSync(sharedPath('labels', 'cifar10_classes.txt'), 'utf8').trim().split('\n') : [];

  it('maps all 1000 images through cifar10_classes.txt', () => {
    expect(images).toHaveLength(1000);
    const detected = detectLabels(images, [labelFile('cifar10_classes.txt')]);
    expect(detected.source).toBe('folder-per-class');
    expect(detected.classList?.names).toEqual(order);
    const { byImage, problems, mapping } = mapLabels(detected, 10, detected.classList);
    expect(problems).toEqual([]);
    expect(mapping.offset).toBe(0);
    expect(byImage.size).toBe(1000);
    for (const path of images) expect(byImage.get(path)).toBe(order.indexOf(path.split('/')[1]!));
  });

  it('without a class list, takes the sorted folder names when they are as many as the outputs, and says so', () => {
    const detected = detectLabels(images, []);
    const { byImage, mapping, derivedClassList } = mapLabels(detected, 10, null);
    expect(mapping.description).toMatch(/alphabetical/);
    for (const path of images) expect(byImage.get(path)).toBe(order.indexOf(path.split('/')[1]!));
    // The folder names become the class names shown in the UI, in output order.
    expect(derivedClassList?.names).toEqual(order);
    // ...but not for a model with another number of outputs.
    const wrong = mapLabels(detected, 100, null);
    expect(wrong.byImage.size).toBe(0);
    expect(wrong.derivedClassList).toBeNull();
    expect(byKind(wrong.problems, 'unknown-class')[0]!.count).toBe(1000);
  });

  it('ignores YOLO box files (coco128) with a problem, not as a class list', () => {
    const dir = sharedPath('images', 'coco128', 'labels', 'train2017');
    const boxes = readdirSync(dir).slice(0, 3).map((f) => ({ name: `coco128/labels/${f}`, text: readFileSync(`${dir}/${f}`, 'utf8') }));
    const detected = detectLabels(images, [...boxes, labelFile('cifar10_classes.txt')]);
    expect(detected.classListFile).toBe('cifar10_classes.txt');
    expect(byKind(detected.problems, 'unsupported-file')[0]!.count).toBe(3);
  });
});

describe('detectLabels without shared data', () => {
  it('takes class indices from file names only when every file has one', () => {
    expect(detectLabels(['a/3_x.jpg', 'a/7_y.jpg'], []).labels.get('a/7_y.jpg')).toEqual({ kind: 'index', index: 7 });
    expect(detectLabels(['a/3_x.jpg', 'a/y.jpg'], []).source).toBe('none');
  });

  it('returns no problems and no source for unlabelled images', () => {
    expect(detectLabels(['d/a.jpg', 'd/b.jpg'], [])).toMatchObject({ source: 'none', problems: [], classList: null });
  });

  it('reads numeric folders as indices and synset folders as synsets', () => {
    const d = detectLabels(['mnist/0/a.png', 'mnist/1/b.png'], []);
    expect(d.source).toBe('folder-per-class');
    expect(d.labels.get('mnist/1/b.png')).toEqual({ kind: 'index', index: 1 });
    expect(detectLabels(['t/n01440764/x.JPEG', 't/n01443537/y.JPEG'], []).labels.get('t/n01440764/x.JPEG')).toEqual({ kind: 'synset', synset: 'n01440764' });
  });

  it('prefers file-name synsets over unrelated folders dropped together', () => {
    const d = detectLabels(['one/n01440764_tench.JPEG', 'two/n01443537_goldfish.JPEG'], []);
    expect(d.source).toBe('file-name');
  });

  it('parses quoted CSV fields, CRLF, BOM, tabs and a Kaggle id column', () => {
    const csv = '\uFEFF"image","class_index"\r\n"a, b.jpg",3\r\n';
    expect(detectLabels(['x/a, b.jpg'], [{ name: 'l.csv', text: csv }]).labels.get('x/a, b.jpg')).toEqual({ kind: 'index', index: 3 });
    const tsv = 'path\tsynset\nx/a.jpg\tn01440764\n';
    expect(detectLabels(['x/a.jpg'], [{ name: 'l.tsv', text: tsv }]).labels.get('x/a.jpg')).toEqual({ kind: 'synset', synset: 'n01440764' });
    const kaggle = 'id,breed\n000bec180eb18c7604dcecc8fe0dba07,boston_bull\n';
    expect(detectLabels(['train/000bec180eb18c7604dcecc8fe0dba07.jpg'], [{ name: 'labels.csv', text: kaggle }]).labels.size).toBe(1);
  });

  it('matches by the longest path suffix, then case-insensitively, and flags ambiguous names', () => {
    const images = ['c/cat/0001.jpg', 'c/dog/0001.jpg', 'c/dog/0002.JPG'];
    const d = detectLabels(images, [{ name: 'v.txt', text: 'cat/0001.jpg 3\ndog/0001.jpg 5\n0002.jpg 5\n0001.jpg 9\n' }]);
    expect(d.labels.get('c/cat/0001.jpg')).toEqual({ kind: 'index', index: 3 });
    expect(d.labels.get('c/dog/0002.JPG')).toEqual({ kind: 'index', index: 5 });
    expect(d.problems.find((p) => /several dropped images/.test(p.message))?.count).toBe(1);
  });

  it('reports conflicting duplicate labels and keeps the first', () => {
    const d = detectLabels(['a.jpg'], [{ name: 'v.txt', text: 'a.jpg 1\na.jpg 1\na.jpg 2\n' }]);
    expect(d.labels.get('a.jpg')).toEqual({ kind: 'index', index: 1 });
    expect(byKind(d.problems, 'duplicate-label')[0]!.count).toBe(1);
  });

  it('skips a label file that names none of the images, reporting it, and falls back to folders', () => {
    const d = detectLabels(['ds/cat/1.jpg', 'ds/dog/2.jpg'], [{ name: 'other.csv', text: 'file,label\nzzz.jpg,cat\n' }]);
    expect(d.source).toBe('folder-per-class');
    expect(byKind(d.problems, 'label-without-image')[0]!.items).toEqual(['zzz.jpg']);
  });

  it('reads class lists written as a printed Python dict and tells a README from a class list', () => {
    const dict = "{0: 'tench, Tinca tinca',\n 1: 'goldfish, Carassius auratus',\n 2: 'great white shark'}";
    expect(detectLabels([], [{ name: 'imagenet1000_clsidx_to_labels.txt', text: dict }]).classList?.names).toEqual(['tench, Tinca tinca', 'goldfish, Carassius auratus', 'great white shark']);
    const readme = 'This dataset was collected in 2019.\nSee the paper for details.\n';
    const d = detectLabels(['a.jpg'], [{ name: 'README.txt', text: readme }]);
    expect(d.classList).toBeNull();
    expect(byKind(d.problems, 'unsupported-file')[0]!.items).toEqual(['README.txt']);
  });

  it('maps 1-based index labels (largest = class count) with -1, and flags out-of-range ones', () => {
    const labels = new Map([
      ['a', { kind: 'index' as const, index: 1 }],
      ['b', { kind: 'index' as const, index: 10 }],
    ]);
    const m = mapLabels({ source: 'csv', labels }, 10, null);
    expect(m.mapping.offset).toBe(-1);
    expect([m.byImage.get('a'), m.byImage.get('b')]).toEqual([0, 9]);
    const out = mapLabels({ source: 'csv', labels: new Map([['c', { kind: 'index' as const, index: 12 }]]) }, 10, null);
    expect(byKind(out.problems, 'unknown-class')[0]!.items).toEqual(['c: 12']);
  });

  it('flags class names shared by several classes (torchvision has two "crane")', () => {
    const labels = new Map([['a', { kind: 'name' as const, name: 'crane' }]]);
    const m = mapLabels({ source: 'csv', labels }, 4, { names: ['crane', 'x', 'crane', 'y'] });
    expect(m.byImage.get('a')).toBe(0);
    expect(byKind(m.problems, 'unknown-class')[0]!.message).toMatch(/several classes share/);
  });

  it('adds 1 when the class list lacks the background class of the model', () => {
    const labels = new Map([['a', { kind: 'name' as const, name: 'dog' }]]);
    expect(mapLabels({ source: 'folder-per-class', labels }, 3, { names: ['cat', 'dog'] }).byImage.get('a')).toBe(2);
  });
});
