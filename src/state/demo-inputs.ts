// The demo's own images and preprocessing, kept (as Files, outside the state) once the demo ran, so jobs other than
// the demo itself (INT8 calibration) can use them while the demo model is the loaded one.
import type { DroppedFile } from '../../workers/dataset-api';
import type { PreprocessRecipe } from '../data/types';

export interface DemoInputs {
  /** The demo's model file: its images belong to the card while model.files[0] is this file. */
  modelFile: File;
  images: (DroppedFile & { label: number })[];
  recipe: PreprocessRecipe;
}

let current: DemoInputs | null = null;

export function setDemoInputs(inputs: DemoInputs | null): void {
  current = inputs;
}

/** The demo's images when `modelFile` is the demo's model, else null. */
export function demoInputsFor(modelFile: File | undefined): DemoInputs | null {
  return current !== null && modelFile !== undefined && current.modelFile === modelFile ? current : null;
}
