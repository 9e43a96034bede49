// Scrolls a step section into view and moves keyboard focus to it (the section has tabIndex -1).
export function scrollToSection(id: string): void {
  const el = document.getElementById(id);
  if (el === null) return;
  el.scrollIntoView({ behavior: 'smooth', block: 'start' });
  el.focus({ preventScroll: true });
}
