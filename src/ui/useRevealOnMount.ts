// Scrolls an element into view when it appears (or `key` changes), so news is never off-screen.
import { useEffect, useRef, type RefObject } from 'react';

export function useRevealOnMount<T extends HTMLElement>(key: unknown): RefObject<T | null> {
  const ref = useRef<T>(null);
  useEffect(() => {
    const el = ref.current;
    if (el === null || typeof el.scrollIntoView !== 'function') return;
    const r = el.getBoundingClientRect();
    if (r.top < 0 || r.bottom > window.innerHeight) el.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [key]);
  return ref;
}
