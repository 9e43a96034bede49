// Output index -> class name for the dataset UI, tolerant of class lists with or without a background class.
import type { ClassList, LabelMapping } from '../../data/types';

export type ClassNamer = (outputIndex: number) => string;

/**
 * Names in `classList` are in output order when there is one per output; a list one shorter than the
 * outputs (e.g. 1000 names for a 1001-output model) is shifted by the mapping's offset.
 */
export function makeClassNamer(classList: ClassList | null, mapping: LabelMapping | null): ClassNamer {
  const names = classList?.names ?? [];
  const offset = mapping !== null && names.length !== mapping.outputClasses ? mapping.offset : 0;
  return (i) => {
    if (i < 0) return 'unlabelled';
    const name = names[i - offset];
    if (name !== undefined && name !== '') return name;
    return offset > 0 && i < offset ? 'background' : `class ${i}`;
  };
}
