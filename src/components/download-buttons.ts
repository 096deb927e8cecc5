/**
 * Buttons that save data the page already holds as files, built in the browser (Blob + object URL):
 * nothing is fetched, so a static site offline can still hand its numbers to a spreadsheet.
 */
export interface DownloadFile {
  label: string;
  filename: string;
  type: string;
  /** Called on click, so the file reflects the current view. */
  content: () => string;
}

export function DownloadButtons(files: readonly DownloadFile[]): HTMLElement {
  const bar = document.createElement("div");
  bar.dataset.testid = "downloads";
  bar.style.display = "flex";
  bar.style.gap = "8px";
  for (const f of files) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = f.label;
    button.dataset.filename = f.filename;
    button.addEventListener("click", () => {
      const url = URL.createObjectURL(new Blob([f.content()], { type: f.type }));
      const a = document.createElement("a");
      a.href = url;
      a.download = f.filename;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 0);
    });
    bar.append(button);
  }
  return bar;
}
