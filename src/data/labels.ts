// Label sources of a dropped dataset (CSV, val.txt, folder per class, class in the file name, class-list files)
// and their mapping to the model's output indices, with every unmatched label or image reported as a problem.
import type { ClassList, DatasetProblem, LabelMapping, LabelSourceKind, RawLabel } from './types';

/** Most items a problem lists (its count says how many there are). */
const MAX_PROBLEM_ITEMS = 50;

function problem(kind: DatasetProblem['kind'], message: string, items: readonly string[]): DatasetProblem {
  return { kind, message, items: items.slice(0, MAX_PROBLEM_ITEMS), count: items.length };
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

const IMAGE_EXT = /\.(?:jpe?g|png|webp|bmp|gif|tiff?)$/i;
const SYNSET = /^n\d{8}$/;
const INTEGER = /^\d+$/;

/** Last path segment of a path with / or \ separators. */
function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}

/** "./data//x.JPEG" -> ["data", "x.JPEG"]. */
function segments(path: string): string[] {
  return path.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
}

function stripExtension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** A label value as written: integer -> class index, nXXXXXXXX -> synset, anything else -> class name. */
function rawLabel(value: string): RawLabel {
  const v = value.trim();
  if (INTEGER.test(v)) return { kind: 'index', index: Number(v) };
  if (SYNSET.test(v)) return { kind: 'synset', synset: v };
  return { kind: 'name', name: v };
}

function labelText(label: RawLabel): string {
  return label.kind === 'index' ? String(label.index) : label.kind === 'synset' ? label.synset : label.name;
}

function sameLabel(a: RawLabel, b: RawLabel): boolean {
  return a.kind === b.kind && labelText(a) === labelText(b);
}

/** Finds dropped images by the path a label file gives: longest matching path suffix, then case-insensitively, then by name without extension. */
class ImageIndex {
  private readonly exact = new Map<string, string[]>();
  private readonly lower = new Map<string, string[]>();
  private readonly stem = new Map<string, string[]>();

  constructor(imagePaths: readonly string[]) {
    for (const path of imagePaths) {
      const segs = segments(path);
      for (let i = 0; i < segs.length; i++) {
        const suffix = segs.slice(i).join('/');
        push(this.exact, suffix, path);
        push(this.lower, suffix.toLowerCase(), path);
      }
      const last = segs[segs.length - 1];
      if (last !== undefined) push(this.stem, stripExtension(last).toLowerCase(), path);
    }
  }

  /** The image a label path names, 'ambiguous' when several fit equally, or null. */
  find(labelPath: string): string | 'ambiguous' | null {
    const segs = segments(labelPath);
    if (segs.length === 0) return null;
    for (const [map, fold] of [[this.exact, false], [this.lower, true]] as const) {
      for (let i = 0; i < segs.length; i++) {
        const key = segs.slice(i).join('/');
        const hits = map.get(fold ? key.toLowerCase() : key);
        if (hits === undefined) continue;
        if (hits.length === 1) return hits[0]!;
        // A longer suffix cannot be found once a shorter one is ambiguous, but a case-folded one might not help either.
        return 'ambiguous';
      }
    }
    // Kaggle-style ids: "0a1b2c" names "0a1b2c.jpg".
    const last = segs[segs.length - 1]!;
    if (!IMAGE_EXT.test(last)) {
      const hits = this.stem.get(last.toLowerCase());
      if (hits?.length === 1) return hits[0]!;
      if (hits !== undefined && hits.length > 1) return 'ambiguous';
    }
    return null;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** One label as a label file writes it, with where it was written. */
interface LabelEntry {
  path: string;
  label: RawLabel;
  /** "file:line" for messages. */
  where: string;
}

interface ParsedLabelFile {
  name: string;
  kind: 'csv' | 'val-txt' | 'class-list' | 'boxes' | 'unknown';
  entries: LabelEntry[];
  badLines: string[];
  classList: ClassList | null;
  /** For CSVs: which column the labels came from. */
  column?: string;
}

/** RFC 4180 fields: quotes, doubled quotes, delimiters and line breaks inside quotes. Rows keep their first line number (1-based). */
function parseDelimited(text: string, delimiter: string): { cells: string[]; line: number }[] {
  const rows: { cells: string[]; line: number }[] = [];
  let cells: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let sawAny = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field.trim() === '') {
      quoted = true;
      field = '';
      sawAny = true;
    } else if (ch === delimiter) {
      cells.push(field);
      field = '';
      sawAny = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      cells.push(field);
      if (sawAny || cells.some((c) => c.trim() !== '')) rows.push({ cells, line: rowLine });
      cells = [];
      field = '';
      sawAny = false;
      line++;
      rowLine = line;
    } else {
      field += ch;
      if (ch.trim() !== '') sawAny = true;
    }
  }
  cells.push(field);
  if (sawAny || cells.some((c) => c.trim() !== '')) rows.push({ cells, line: rowLine });
  return rows;
}

const FILE_COLUMNS = ['file', 'filename', 'file_name', 'fname', 'image', 'image_name', 'imagename', 'image_file', 'image_id', 'img', 'img_name', 'path', 'filepath', 'file_path', 'image_path', 'id'];
/** Label columns by preference: class index, then synset, then name (the brief of the data format). */
const INDEX_COLUMNS = ['class_index', 'class_idx', 'classindex', 'class_id', 'label_index', 'label_idx', 'label_id', 'target', 'index', 'idx'];
const SYNSET_COLUMNS = ['synset', 'wnid', 'synset_id'];
const NAME_COLUMNS = ['label', 'class', 'class_name', 'classname', 'label_name', 'category', 'category_name', 'torchvision_name', 'name', 'breed', 'species'];

function normHeader(cell: string): string {
  return cell.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

function csvColumns(header: string[]): { file: number; label: number; column: string } | null {
  const names = header.map(normHeader);
  const file = FILE_COLUMNS.map((c) => names.indexOf(c)).find((i) => i >= 0);
  if (file === undefined) return null;
  for (const group of [INDEX_COLUMNS, SYNSET_COLUMNS, NAME_COLUMNS]) {
    const label = group.map((c) => names.indexOf(c)).find((i) => i >= 0 && i !== file);
    if (label !== undefined) return { file, label, column: header[label]!.trim() };
  }
  return null;
}

/** "./data/NAME.JPEG, 472" / "NAME.JPEG 65" / "cat 1.jpg<TAB>cat": the path ends at an image extension. */
const VAL_LINE = /^\s*(.*?\.(?:jpe?g|png|webp|bmp|gif|tiff?))(?:\s*[,;\t]\s*|\s+)(\S(?:.*\S)?)\s*$/i;
/** Lines of numbers only (YOLO boxes "cls cx cy w h", score dumps). */
const NUMBERS_LINE = /^[\s,;]*[-+]?\d*\.?\d+(?:[eE][-+]?\d+)?(?:[\s,;]+[-+]?\d*\.?\d+(?:[eE][-+]?\d+)?)+[\s,;]*$/;
const LOC_LINE = /^(n\d{8})\s+(\S.*)$/;
/** "0: 'tench, Tinca tinca'," (a printed Python dict), "0 tench", "0,tench". */
const INDEXED_NAME_LINE = /^\s*\{?\s*(\d+)\s*[:,\s]\s*['"]?(.*?)['"]?\s*,?\s*\}?\s*$/;
const CLASS_LIST_FILE_NAME = /class|label|synset|name|categor|words|vocab/i;

/** Class list from one-class-per-line text: synset lines, indexed names, or plain names. */
function parseClassList(lines: string[]): ClassList {
  if (lines.every((l) => LOC_LINE.test(l))) {
    const synsets: string[] = [];
    const names: string[] = [];
    for (const l of lines) {
      const m = LOC_LINE.exec(l)!;
      synsets.push(m[1]!);
      names.push(m[2]!.trim());
    }
    return { names, synsets };
  }
  const indexed = lines.map((l) => INDEXED_NAME_LINE.exec(l));
  if (indexed.every((m, i) => m !== null && Number(m[1]) === i && m[2]!.trim() !== '')) {
    return { names: indexed.map((m) => m![2]!.trim()) };
  }
  return { names: lines.map((l) => l.trim()) };
}

/** Decides what a text file is by its content (and, for CSV headers, its first row) and parses it. */
function parseLabelFile(name: string, rawText: string): ParsedLabelFile {
  const text = rawText.replace(/^\uFEFF/, '');
  const parsed: ParsedLabelFile = { name, kind: 'unknown', entries: [], badLines: [], classList: null };
  const allLines = text.split(/\r\n|\n|\r/);
  const numbered = allLines.map((l, i) => ({ l: l.trim(), line: i + 1 })).filter((x) => x.l !== '' && !x.l.startsWith('#'));
  if (numbered.length === 0) return parsed;

  // CSV/TSV: a header naming a file column and a label column.
  const firstLine = numbered[0]!.l;
  const delimiter = /\.tsv$/i.test(name) || (firstLine.includes('\t') && !firstLine.includes(',')) ? '\t' : firstLine.includes(';') && !firstLine.includes(',') ? ';' : ',';
  // The header alone decides (a full parse of a 50,000-line val.txt would be wasted).
  const header = parseDelimited(firstLine, delimiter)[0];
  const columns = header === undefined ? null : csvColumns(header.cells);
  if (columns !== null) {
    const rows = parseDelimited(text, delimiter);
    parsed.kind = 'csv';
    parsed.column = columns.column;
    for (const row of rows.slice(1)) {
      const path = row.cells[columns.file]?.trim() ?? '';
      const value = row.cells[columns.label]?.trim() ?? '';
      if (path === '' || value === '') {
        parsed.badLines.push(`${name}:${row.line}: ${row.cells.join(delimiter)}`);
        continue;
      }
      parsed.entries.push({ path, label: rawLabel(value), where: `${name}:${row.line}` });
    }
    return parsed;
  }

  // val.txt: most lines are "<image path> <label>".
  const valMatches = numbered.filter((x) => VAL_LINE.test(x.l)).length;
  if (valMatches > 0 && valMatches >= numbered.length / 2) {
    parsed.kind = 'val-txt';
    for (const { l, line } of numbered) {
      const m = VAL_LINE.exec(l);
      if (m === null) {
        parsed.badLines.push(`${name}:${line}: ${l}`);
        continue;
      }
      parsed.entries.push({ path: m[1]!.trim(), label: rawLabel(m[2]!), where: `${name}:${line}` });
    }
    return parsed;
  }

  if (numbered.every((x) => NUMBERS_LINE.test(x.l))) {
    parsed.kind = 'boxes';
    return parsed;
  }

  // A class list: one class per line. Long prose lines mean a README, not a list (unless the name says so).
  const lines = numbered.map((x) => x.l);
  const listLike = lines.every((l) => l.length <= 200) && (CLASS_LIST_FILE_NAME.test(baseName(name)) || lines.every((l) => l.length <= 80 && !/[.!?:]$/.test(l)));
  if (listLike && lines.length >= 2) {
    parsed.kind = 'class-list';
    parsed.classList = parseClassList(lines);
  }
  return parsed;
}

/** Labels found for a dataset, keyed by image path as dropped. */
export interface DetectedLabels {
  source: LabelSourceKind;
  labels: Map<string, RawLabel>;
  /** Class names (and synsets) in output order, from a class-list file; null when none was dropped. */
  classList: ClassList | null;
  problems: DatasetProblem[];
  /** The CSV/val.txt the labels came from (as given in labelFiles), null for other sources. */
  labelFile: string | null;
  /** The class-list file `classList` came from, or null. */
  classListFile: string | null;
}

const SYNSET_PREFIX = /^(n\d{8})(?=[_\-.\s])/;
const INDEX_PREFIX = /^(\d+)_/;

/**
 * Finds the labels of dropped images. Sources by priority: a CSV with a header (file column + class_index, else
 * synset, else name column), a val.txt ("./data/NAME.JPEG, 472" or "NAME.JPEG 65"), folder per class (the parent
 * folder, when images sit in at least 2 folders), the class in the file name ("n01440764_tench.JPEG" -> synset;
 * "123_x.jpg" -> index 123, only when every file has such a prefix). File-name synsets on every image win over
 * folders whose names are not synsets (several unrelated folders dropped together). A label file that names none
 * of the images is skipped. One-class-per-line files (imagenet_classes.txt, LOC_synset_mapping.txt,
 * synset_words.txt, cifar10_classes.txt) become `classList`. Label paths match image paths by the longest
 * common path suffix, case-sensitive first.
 * Problems: label-without-image, image-without-label (only when a source exists), bad-label-line,
 * duplicate-label (an image given two different labels; the first is kept), unsupported-file (label files not used).
 * @param imagePaths relative paths as dropped ("cifar/cat/0001.jpg"); the result is keyed by them
 * @param labelFiles text files dropped with the images (names as dropped)
 */
export function detectLabels(imagePaths: readonly string[], labelFiles: readonly { name: string; text: string }[]): DetectedLabels {
  const problems: DatasetProblem[] = [];
  const parsed = labelFiles.map((f) => parseLabelFile(f.name, f.text));
  const index = new ImageIndex(imagePaths);

  // Class list: prefer one with synsets, then the longest.
  const lists = parsed.filter((p) => p.kind === 'class-list');
  const bestList = [...lists].sort((a, b) => Number(b.classList!.synsets !== undefined) - Number(a.classList!.synsets !== undefined) || b.classList!.names.length - a.classList!.names.length)[0];
  const classList = bestList?.classList ?? null;

  const boxes = parsed.filter((p) => p.kind === 'boxes').map((p) => p.name);
  if (boxes.length > 0) {
    problems.push(problem('unsupported-file', `${plural(boxes.length, 'file')} hold only numbers (like YOLO box labels). Quantbench measures classification accuracy, so they are not used.`, boxes));
  }
  const unknown = parsed.filter((p) => p.kind === 'unknown').map((p) => p.name);
  if (unknown.length > 0) {
    problems.push(
      problem('unsupported-file', `${plural(unknown.length, 'text file')} could not be read as labels (not a CSV with a header, a "file label" list or a class list).`, unknown),
    );
  }

  // File sources: where each CSV / val.txt entry points among the images.
  const matchFile = (file: ParsedLabelFile): { labels: Map<string, RawLabel>; missing: string[]; ambiguous: string[]; conflicts: string[] } => {
    const labels = new Map<string, RawLabel>();
    const missing: string[] = [];
    const ambiguous: string[] = [];
    const conflicts: string[] = [];
    for (const e of file.entries) {
      const image = index.find(e.path);
      if (image === null) missing.push(e.path);
      else if (image === 'ambiguous') ambiguous.push(`${e.path} (${e.where})`);
      else {
        const prev = labels.get(image);
        if (prev === undefined) labels.set(image, e.label);
        else if (!sameLabel(prev, e.label)) conflicts.push(`${image}: ${labelText(prev)} and ${labelText(e.label)} (${e.where})`);
      }
    }
    return { labels, missing, ambiguous, conflicts };
  };

  // CSV beats val.txt; within a kind the file matching the most images wins; a file matching none is never chosen.
  const fileSources = (['csv', 'val-txt'] as const).flatMap((kind) => parsed.filter((p) => p.kind === kind).map((file) => ({ kind, file, match: matchFile(file) })));
  const kindRank = (k: 'csv' | 'val-txt'): number => (k === 'csv' ? 0 : 1);
  const chosen = fileSources
    .filter((c) => c.match.labels.size > 0)
    .sort((a, b) => kindRank(a.kind) - kindRank(b.kind) || b.match.labels.size - a.match.labels.size)[0];

  let source: LabelSourceKind = 'none';
  let labels = new Map<string, RawLabel>();
  let labelFile: string | null = null;
  if (chosen !== undefined) {
    source = chosen.kind;
    labels = chosen.match.labels;
    labelFile = chosen.file.name;
    const { missing, ambiguous, conflicts } = chosen.match;
    const name = chosen.file.name;
    if (chosen.file.badLines.length > 0) {
      problems.push(problem('bad-label-line', `${plural(chosen.file.badLines.length, 'line')} of ${name} could not be read as "file, label".`, chosen.file.badLines));
    }
    if (missing.length > 0) problems.push(problem('label-without-image', `${plural(missing.length, 'label')} in ${name} name images that were not dropped.`, missing));
    if (ambiguous.length > 0) {
      problems.push(problem('label-without-image', `${plural(ambiguous.length, 'label')} in ${name} fit several dropped images (same file name in different folders) and were not used; write the folder too.`, ambiguous));
    }
    if (conflicts.length > 0) {
      problems.push(problem('duplicate-label', `${plural(conflicts.length, 'image')} are labelled twice with different classes in ${name}; the first label is used.`, conflicts));
    }
  }
  for (const c of fileSources) {
    if (c === chosen) continue;
    if (chosen !== undefined) problems.push(problem('unsupported-file', `${c.file.name} was not used: the labels come from ${labelFile}.`, [c.file.name]));
    else if (c.file.entries.length > 0) {
      problems.push(problem('label-without-image', `None of the ${plural(c.file.entries.length, 'label')} in ${c.file.name} names a dropped image, so the file is not used.`, c.match.missing));
    }
  }

  if (source === 'none') {
    const synsetNamed = imagePaths.filter((p) => SYNSET_PREFIX.test(baseName(p)));
    const parents = imagePaths.map((p) => segments(p).slice(-2, -1)[0]);
    const distinctParents = new Set(parents.filter((p): p is string => p !== undefined));
    const parentsAreSynsets = [...distinctParents].every((p) => SYNSET.test(p));
    const allSynsetNamed = imagePaths.length > 0 && synsetNamed.length === imagePaths.length;
    if (distinctParents.size >= 2 && !(allSynsetNamed && !parentsAreSynsets)) {
      source = 'folder-per-class';
      imagePaths.forEach((path, i) => {
        const parent = parents[i];
        if (parent !== undefined) labels.set(path, rawLabel(parent));
      });
    } else if (synsetNamed.length > 0 && synsetNamed.length >= imagePaths.length / 2) {
      source = 'file-name';
      for (const path of synsetNamed) labels.set(path, { kind: 'synset', synset: SYNSET_PREFIX.exec(baseName(path))![1]! });
    } else if (imagePaths.length > 0 && imagePaths.every((p) => INDEX_PREFIX.test(baseName(p)))) {
      source = 'file-name';
      for (const path of imagePaths) labels.set(path, { kind: 'index', index: Number(INDEX_PREFIX.exec(baseName(path))![1]) });
    }
  }

  if (source !== 'none') {
    const unlabelled = imagePaths.filter((p) => !labels.has(p));
    if (unlabelled.length > 0) {
      const how = source === 'folder-per-class' ? 'are not inside a class folder' : source === 'file-name' ? 'have no class in their file name' : `are not listed in ${labelFile}`;
      problems.push(problem('image-without-label', `${plural(unlabelled.length, 'image')} ${how}; they count for speed and agreement, not for accuracy.`, unlabelled));
    }
  }
  return { source, labels, classList, problems, labelFile, classListFile: bestList?.name ?? null };
}

/** Lower case, underscores and runs of spaces to one space: "Great_White  Shark" -> "great white shark". */
function normName(name: string): string {
  return name.toLowerCase().replace(/[_\s]+/g, ' ').trim();
}

/** Name -> class index from a class list: full names first, then each comma-separated alias ("tench, Tinca tinca"). */
function nameLookup(list: ClassList): { byName: Map<string, number>; shared: Map<string, number[]> } {
  const byName = new Map<string, number>();
  const fullNames = new Map<string, number[]>();
  list.names.forEach((n, i) => push(fullNames, normName(n), i));
  list.names.forEach((n, i) => {
    const key = normName(n);
    if (!byName.has(key)) byName.set(key, i);
  });
  const aliasRound = Math.max(0, ...list.names.map((n) => n.split(',').length));
  for (let a = 0; a < aliasRound; a++) {
    list.names.forEach((n, i) => {
      const alias = n.split(',')[a];
      if (alias === undefined) return;
      const key = normName(alias);
      if (key !== '' && !byName.has(key)) byName.set(key, i);
    });
  }
  const shared = new Map([...fullNames].filter(([, ids]) => ids.length > 1));
  return { byName, shared };
}

const SOURCE_TEXT: Record<LabelSourceKind, string> = {
  csv: 'CSV',
  'val-txt': 'a "file label" list',
  'folder-per-class': 'folder names',
  'file-name': 'file names',
  none: 'nowhere',
};

/**
 * Turns detected labels into output indices of a model with `outputClasses` outputs (0 = unknown count: no
 * range check). Index labels: used as they are, +1 when the model has 1001 outputs (TF background class at 0) and
 * the labels are 0-based 1000-class ones (a 0 among them, or no sign either way), 0 when they are already 1001-based
 * (a 1000 among them, or "1001" in the label file name), -1 when they are 1-based (the largest equals the class
 * count, or a "1001" file for a 1000-class model). Synset labels: position in classList.synsets. Names: position in
 * classList.names, case-insensitive, "_" = " ", any comma-separated alias. A class list one shorter than the outputs
 * gets +1 (background). Without a usable class list, N distinct names/synsets for N outputs are taken in
 * alphabetical order (CIFAR-10's and ImageNet's own order) and the description says so.
 * Everything not mapped is in `problems` as 'unknown-class'.
 * @param labelOffset forces the offset (the user's correction), replacing the automatic choice for every label kind
 */
export function mapLabels(
  detected: Pick<DetectedLabels, 'source' | 'labels'> & { labelFile?: string | null },
  outputClasses: number,
  classList: ClassList | null,
  labelOffset?: number,
): { byImage: Map<string, number>; mapping: LabelMapping; problems: DatasetProblem[]; derivedClassList: ClassList | null } {
  const problems: DatasetProblem[] = [];
  const byImage = new Map<string, number>();
  // Class names inferred from the labels themselves (folder names in alphabetical order), for display.
  let derivedClassList: ClassList | null = null;
  const entries = [...detected.labels];
  const indexLabels = entries.filter((e): e is [string, Extract<RawLabel, { kind: 'index' }>] => e[1].kind === 'index');
  const otherLabels = entries.filter((e) => e[1].kind !== 'index');
  const notes: string[] = [];
  // Labels the class list (or its absence) cannot resolve, and resolved ones outside the model's outputs.
  const unresolved: string[] = [];
  const outOfRange: string[] = [];
  const forced = labelOffset !== undefined && Number.isInteger(labelOffset);
  const file = detected.labelFile ?? '';
  const fileSays1001 = /1001/.test(baseName(file));

  // Index labels.
  let indexOffset = 0;
  if (indexLabels.length > 0) {
    let min = Number.POSITIVE_INFINITY;
    let max = -1;
    for (const [, l] of indexLabels) {
      min = Math.min(min, l.index);
      max = Math.max(max, l.index);
    }
    const background = outputClasses === 1001 || (classList?.names.length === 1001 && normName(classList.names[0] ?? '') === 'background');
    if (forced) {
      indexOffset = labelOffset;
      notes.push(`class indices ${min}-${max}, offset ${signed(indexOffset)} as chosen`);
    } else if (background && outputClasses !== 1000) {
      if (fileSays1001 || max >= 1000) {
        indexOffset = 0;
        notes.push(`class indices ${min}-${max} already count the background class (${fileSays1001 ? `"${baseName(file)}"` : 'an index of 1000 is present'}): used as they are`);
      } else {
        indexOffset = 1;
        notes.push(
          min === 0
            ? `class indices ${min}-${max} are 0-based ImageNet-1000 ones; the model has 1001 outputs (0 = background): +1`
            : `class indices ${min}-${max}; the model has 1001 outputs (0 = background), so +1 was assumed (nothing in the labels says whether they already count the background: change the offset if accuracy looks wrong)`,
        );
      }
    } else if (outputClasses > 0 && min >= 1 && (max === outputClasses || (fileSays1001 && outputClasses === 1000))) {
      indexOffset = -1;
      notes.push(`class indices ${min}-${max} look 1-based (${max === outputClasses ? `${max} is one past the last of ${outputClasses} outputs` : `"${baseName(file)}" counts a background class`}): -1`);
    } else {
      notes.push(`class indices ${min}-${max}, used as they are`);
    }
    for (const [path, l] of indexLabels) {
      const out = l.index + indexOffset;
      if (out < 0 || (outputClasses > 0 && out >= outputClasses)) outOfRange.push(`${path}: ${l.index}`);
      else byImage.set(path, out);
    }
  }

  // Synset and name labels.
  let listOffset = 0;
  if (otherLabels.length > 0) {
    const kinds = new Set(otherLabels.map(([, l]) => l.kind));
    const what = kinds.size === 2 ? 'class names and synsets' : kinds.has('synset') ? 'synsets' : 'class names';
    const distinct = [...new Set(otherLabels.map(([, l]) => labelText(l)))].sort();
    const lookup = classList === null ? null : nameLookup(classList);
    const synsetIndex = new Map((classList?.synsets ?? []).map((s, i) => [s, i]));
    const listUsable =
      classList !== null &&
      otherLabels.some(([, l]) => (l.kind === 'synset' ? synsetIndex.has(l.synset) : l.kind === 'name' && lookup!.byName.has(normName(l.name))));
    let resolve: (l: RawLabel) => number | undefined;
    if (listUsable) {
      const n = classList.names.length;
      listOffset = forced ? labelOffset : outputClasses > 0 && n === outputClasses - 1 ? 1 : 0;
      const sizeNote =
        outputClasses > 0 && n !== outputClasses && n !== outputClasses - 1 ? ` (the list has ${n} classes but the model ${outputClasses} outputs: check that they belong together)` : '';
      notes.push(`${what} matched to a class list of ${n}${listOffset !== 0 ? `, offset ${signed(listOffset)}${forced ? ' as chosen' : ' for the background class'}` : ''}${sizeNote}`);
      resolve = (l) => (l.kind === 'synset' ? synsetIndex.get(l.synset) : l.kind === 'name' ? lookup!.byName.get(normName(l.name)) : undefined);
      const sharedUsed = lookup!.shared.size === 0 ? [] : otherLabels.filter(([, l]) => l.kind === 'name' && lookup!.shared.has(normName(l.name)));
      if (sharedUsed.length > 0) {
        const names = [...new Set(sharedUsed.map(([, l]) => normName(labelText(l))))].map((n) => `${n} (${lookup!.shared.get(n)!.join(', ')})`);
        problems.push(
          problem(
            'unknown-class',
            `${plural(sharedUsed.length, 'image')} have a class name that several classes share (${names.slice(0, 5).join('; ')}); the first was used. Class indices or synsets avoid this.`,
            sharedUsed.map(([p, l]) => `${p}: ${labelText(l)}`),
          ),
        );
      }
    } else if (outputClasses > 0 && (distinct.length === outputClasses || (outputClasses === 1001 && distinct.length === 1000))) {
      listOffset = forced ? labelOffset : distinct.length === outputClasses ? 0 : 1;
      const order = new Map(distinct.map((d, i) => [d, i]));
      notes.push(
        `no class list${classList !== null ? ' matched' : ''}: the ${distinct.length} ${what} in alphabetical order were taken as the model's classes${listOffset !== 0 ? ` from ${listOffset}` : ''} (right for CIFAR-10 and ImageNet; drop a class-list file if the model uses another order)`,
      );
      resolve = (l) => order.get(labelText(l));
      derivedClassList = { names: [...Array.from({ length: listOffset }, () => 'background'), ...distinct] };
    } else {
      notes.push(
        classList === null
          ? `${what} but no class list: drop a file with one class per line in the model's output order (e.g. LOC_synset_mapping.txt, imagenet_classes.txt)`
          : `${what} that the class list does not contain`,
      );
      resolve = () => undefined;
    }
    for (const [path, l] of otherLabels) {
      const at = resolve(l);
      if (at === undefined) {
        unresolved.push(`${path}: ${labelText(l)}`);
        continue;
      }
      const out = at + listOffset;
      if (out < 0 || (outputClasses > 0 && out >= outputClasses)) outOfRange.push(`${path}: ${labelText(l)}`);
      else byImage.set(path, out);
    }
  }

  if (unresolved.length > 0) {
    const why =
      classList === null
        ? 'cannot be matched to the model\'s outputs without a class list. Drop a text file with one class per line in the model\'s output order (for ImageNet synsets: LOC_synset_mapping.txt or synset_words.txt)'
        : 'is not in the class list';
    problems.push(problem('unknown-class', `${plural(unresolved.length, 'image')}: the class ${why}. They are left out of accuracy.`, unresolved));
  }
  if (outOfRange.length > 0) {
    problems.push(
      problem('unknown-class', `${plural(outOfRange.length, 'image')} have a class beyond the model's ${outputClasses} outputs (or below 0 after the offset); they are left out of accuracy.`, outOfRange),
    );
  }
  const offset = indexLabels.length >= otherLabels.length ? indexOffset : listOffset;
  const from = detected.labelFile ? `${baseName(detected.labelFile)} (${SOURCE_TEXT[detected.source]})` : SOURCE_TEXT[detected.source];
  const description = `Labels from ${from}: ${notes.join('; ') || 'none'}. The model has ${outputClasses > 0 ? outputClasses : 'an unknown number of'} outputs; ${byImage.size} of ${entries.length} labels mapped.`;
  return { byImage, mapping: { source: detected.source, offset, outputClasses, description }, problems, derivedClassList };
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}
