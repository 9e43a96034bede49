// The user's image Files behind the dataset (kept in the UI for thumbnails only; the store holds paths), and
// loading new ones: the Files are adopted only once the store accepted them, so a failed drop loses nothing.
import { useCallback, useMemo, useRef, useState } from 'react';
import { makeFileFinder, type DroppedFile } from './collect-files';

export interface DatasetFiles {
  find: (path: string) => File | undefined;
  /** Loads through `load`, then keeps the Files if `accepted()` says the store took them. */
  add: (files: DroppedFile[]) => Promise<void>;
  clear: () => void;
}

export function useDatasetFiles(load: (files: DroppedFile[]) => Promise<void>, accepted: () => boolean): DatasetFiles {
  const [files, setFiles] = useState<DroppedFile[]>([]);
  const seq = useRef(0);
  const find = useMemo(() => makeFileFinder(files), [files]);

  const add = useCallback(
    async (dropped: DroppedFile[]) => {
      const mine = ++seq.current;
      await load(dropped);
      if (mine !== seq.current || !accepted()) return;
      // The store replaces the dataset with each drop, and so do we.
      setFiles(dropped);
    },
    [load, accepted],
  );
  const clear = useCallback(() => {
    seq.current++;
    setFiles([]);
  }, []);
  return { find, add, clear };
}
