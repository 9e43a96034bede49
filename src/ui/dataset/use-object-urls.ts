// Object URLs for thumbnails of the user's own image files, revoked when the set of files changes.
import { useEffect, useState } from 'react';

/** `find` maps a dataset path to the File the user gave (or undefined: no thumbnail). */
export function useObjectUrls(paths: readonly string[], find: (path: string) => File | undefined): ReadonlyMap<string, string> {
  const [urls, setUrls] = useState<ReadonlyMap<string, string>>(new Map());
  const key = paths.join('\n');
  useEffect(() => {
    const made = new Map<string, string>();
    for (const p of key === '' ? [] : key.split('\n')) {
      const file = find(p);
      if (file !== undefined && !made.has(p)) made.set(p, URL.createObjectURL(file));
    }
    setUrls(made);
    return () => {
      for (const url of made.values()) URL.revokeObjectURL(url);
    };
  }, [key, find]);
  return urls;
}
