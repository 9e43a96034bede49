// Dataset e2e helpers: small dataset folders built on disk from ../shared/data and public/demo (class folders,
// loose images, broken files, label files), and a page object for step 2.
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, type Locator, type Page } from '@playwright/test';
import { FIXTURES, SHARED_DATA } from './app-fixture';

export const MODELS = resolve(SHARED_DATA, 'models');
export const DEMO = resolve(import.meta.dirname, '../public/demo');
const CIFAR = resolve(SHARED_DATA, 'images/cifar10-test-1000');
const IMAGENET_SAMPLE = resolve(SHARED_DATA, 'images/imagenet-sample');

/** A fresh, empty folder under e2e/.fixtures (gitignored). */
export function freshDir(name: string): string {
  const dir = resolve(FIXTURES, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

function firstFiles(dir: string, n: number): string[] {
  return readdirSync(dir).sort().slice(0, n);
}

/** <root>/<class>/<file> for `perClass` CIFAR test images of each class, plus cifar10_classes.txt. */
export function makeCifarFolder(name: string, classes: string[], perClass: number): string {
  const root = freshDir(name);
  for (const c of classes) {
    mkdirSync(join(root, c));
    for (const f of firstFiles(join(CIFAR, c), perClass)) copyFileSync(join(CIFAR, c, f), join(root, c, f));
  }
  copyFileSync(resolve(SHARED_DATA, 'labels/cifar10_classes.txt'), join(root, 'cifar10_classes.txt'));
  return root;
}

/** `n` ImageNet sample photos renamed photo-NN.jpeg, so no label can be read from their names. */
export function makeUnlabelledImagenet(name: string, n: number): string[] {
  const root = freshDir(name);
  return firstFiles(IMAGENET_SAMPLE, n).map((f, i) => {
    const to = join(root, `photo-${String(i).padStart(2, '0')}.jpeg`);
    copyFileSync(join(IMAGENET_SAMPLE, f), to);
    return to;
  });
}

/**
 * Loose CIFAR images (no class folders) named "<class>-<file>", and a val.txt of "name index" lines for them,
 * plus a line for each of `absent` (names of files that are not there). Returns the paths to choose.
 */
export function makeValTxtImages(name: string, classes: { name: string; index: number }[], perClass: number, absent: string[]): string[] {
  const root = freshDir(name);
  const lines: string[] = [];
  const paths: string[] = [];
  for (const c of classes) {
    for (const f of firstFiles(join(CIFAR, c.name), perClass)) {
      const to = `${c.name}-${f}`;
      copyFileSync(join(CIFAR, c.name, f), join(root, to));
      lines.push(`${to} ${c.index}`);
      paths.push(join(root, to));
    }
  }
  lines.push(...absent.map((a, i) => `${a} ${i % 10}`));
  writeFileSync(join(root, 'val.txt'), `${lines.join('\n')}\n`);
  return [...paths, join(root, 'val.txt')];
}

/** Bytes that are no image at all, and bytes that start like a JPEG but are not one. */
export function writeBrokenImages(dir: string): { garbage: string; damaged: string } {
  const noise = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919 + 13) % 251));
  writeFileSync(join(dir, 'garbage.jpg'), Buffer.concat([Buffer.from('this is not a picture\n'), noise]));
  writeFileSync(join(dir, 'damaged.jpg'), Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), noise]));
  return { garbage: 'garbage.jpg', damaged: 'damaged.jpg' };
}

/** The demo's shape images sorted into one folder per class, with the class list (no shared data needed). */
export function makeDemoShapesFolder(name: string): string {
  const root = freshDir(name);
  const classes = ['circle', 'square', 'triangle', 'cross'];
  for (const c of classes) mkdirSync(join(root, c));
  for (const f of readdirSync(join(DEMO, 'images'))) {
    const c = classes.find((k) => f.startsWith(`${k}-`));
    if (c !== undefined) copyFileSync(join(DEMO, 'images', f), join(root, c, f));
  }
  writeFileSync(join(root, 'classes.txt'), `${classes.join('\n')}\n`);
  return root;
}

export class DatasetStep {
  readonly root: Locator;
  readonly summary: Locator;
  readonly results: Locator;
  constructor(readonly page: Page) {
    this.root = page.getByTestId('dataset-step');
    this.summary = page.getByTestId('dataset-summary');
    this.results = page.getByTestId('eval-results');
  }

  /** Chooses a whole folder, as "Choose a folder…" does (files keep their relative paths). */
  async chooseFolder(dir: string): Promise<void> {
    await this.page.getByTestId('dataset-folder-input').setInputFiles(dir);
  }

  async chooseImages(paths: string[]): Promise<void> {
    await this.page.getByTestId('images-input').setInputFiles(paths);
  }

  async expectSummary(images: number, labelled: number): Promise<void> {
    await expect(this.summary).toHaveAttribute('data-images', String(images));
    await expect(this.summary).toHaveAttribute('data-labelled', String(labelled));
    await expect(this.root.getByTestId('progress')).toBeHidden();
  }

  problem(kind: string): Locator {
    return this.root.locator(`[data-testid=dataset-problem][data-kind="${kind}"]`);
  }

  /** Measures, waits for the results and returns them as numbers. Call it while no results are shown (a new dataset clears them). */
  async evaluate(variant?: string): Promise<{ top1: number | null; top5: number | null; images: number }> {
    if (variant !== undefined) {
      await this.page.getByTestId('variant-input').setInputFiles(variant);
      await expect(this.page.getByTestId('variant-chip')).toBeVisible();
    }
    await this.page.getByTestId('evaluate-button').click();
    await expect(this.results).toBeVisible({ timeout: 120_000 });
    await expect(this.root.getByTestId('progress')).toBeHidden();
    const read = async (name: string): Promise<number | null> => {
      const v = await this.results.getAttribute(name);
      return v === null || v === '' ? null : Number(v);
    };
    return { top1: await read('data-top1'), top5: await read('data-top5'), images: (await read('data-images')) ?? 0 };
  }
}
