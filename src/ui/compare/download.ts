// Saves generated text (the JSON / CSV / HTML report) as a file through a temporary Blob URL and <a download>.

/** Long enough for the browser to start reading the Blob: revoking at once cancels the download in some browsers. */
const REVOKE_AFTER_MS = 30_000;

export function saveText(fileName: string, text: string, mime: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  // Firefox only follows a click on an anchor that is in the document.
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
}
