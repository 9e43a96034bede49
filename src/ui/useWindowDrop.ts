// Whole-window file drop: dropping files anywhere loads them, and the browser never navigates to a dropped file.
import { useEffect, useState } from 'react';

function hasFiles(e: DragEvent): boolean {
  return e.dataTransfer !== null && Array.from(e.dataTransfer.types).includes('Files');
}

/**
 * Calls `onFiles` for files dropped anywhere on the page (unless a drop target already handled the event
 * with preventDefault). `route`, when given, sees the drop first and returns true when it took it (it must
 * read the DataTransfer synchronously). Returns true while files are being dragged over the window.
 */
export function useWindowDrop(onFiles: (files: File[]) => void, route?: (dt: DataTransfer) => boolean): boolean {
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = (): void => {
      clearTimeout(timer);
      setDragging(false);
    };
    const onDragOver = (e: DragEvent): void => {
      e.preventDefault();
      if (!hasFiles(e)) return;
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
      setDragging(true);
      // dragleave fires on every child boundary; a quiet period without dragover is the reliable "left".
      clearTimeout(timer);
      timer = setTimeout(stop, 200);
    };
    const onDrop = (e: DragEvent): void => {
      stop();
      if (e.defaultPrevented) return;
      e.preventDefault();
      if (e.dataTransfer !== null && route?.(e.dataTransfer) === true) return;
      const files = Array.from(e.dataTransfer?.files ?? []);
      if (files.length > 0) onFiles(files);
    };
    window.addEventListener('dragover', onDragOver);
    window.addEventListener('drop', onDrop);
    return () => {
      clearTimeout(timer);
      window.removeEventListener('dragover', onDragOver);
      window.removeEventListener('drop', onDrop);
    };
  }, [onFiles, route]);

  return dragging;
}
