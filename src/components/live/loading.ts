/**
 * Loading the live page's files (models, test and calibration images: about 10 MB) with a real progress
 * bar: bytes received over the files' total size (Framework's FileAttachment knows each file's size),
 * read from the response stream as they arrive. Each file is read once; later requests get the bytes.
 */
import { el } from "../dom.js";

/** What the page passes for a file: a FileAttachment, or anything with a name, a URL or bytes, and a size. */
export interface LiveFile {
  name: string;
  /** Bytes, when known (drives the bar; unknown sizes make it indeterminate). */
  size?: number;
  /** Where to fetch it from (with progress events); without it, `arrayBuffer()` is read in one piece. */
  url?(): Promise<string> | string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/**
 * The whole file, reporting bytes as they arrive. XMLHttpRequest rather than a fetch body stream: both
 * report progress, but Chromium counts a request whose body was read as a stream as aborted.
 */
async function readFile(file: LiveFile, received: (bytes: number) => void): Promise<Uint8Array> {
  if (!file.url) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    received(bytes.length);
    return bytes;
  }
  const url = await file.url();
  return new Promise<Uint8Array>((resolve, reject) => {
    const request = new XMLHttpRequest();
    let reported = 0;
    request.open("GET", url);
    request.responseType = "arraybuffer";
    request.onprogress = (e) => {
      received(e.loaded - reported);
      reported = e.loaded;
    };
    request.onload = () => {
      if (request.status !== 200) return reject(new Error(`${file.name}: HTTP ${request.status}`));
      const bytes = new Uint8Array(request.response as ArrayBuffer);
      received(bytes.length - reported);
      resolve(bytes);
    };
    request.onerror = () => reject(new Error(`${file.name}: the download failed`));
    request.send();
  });
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export type FileLoaderElement = HTMLElement & {
  /** The files' bytes, in order, with the bar showing their combined progress under `what`. */
  load(what: string, files: readonly LiveFile[]): Promise<Uint8Array[]>;
};

export function FileLoader(): FileLoaderElement {
  const bar = el("progress", { testid: "live-progress" });
  const label = el("span", { className: "live-loading-label" });
  const box = el("div", { className: "live-loading" }, label, bar) as unknown as FileLoaderElement;
  box.hidden = true;
  const cache = new Map<LiveFile, Promise<Uint8Array>>();
  let active = 0;

  box.load = async (what, files) => {
    const fresh = [...new Set(files)].filter((f) => !cache.has(f));
    const total = fresh.reduce((n, f) => n + (f.size ?? NaN), 0);
    let loaded = 0;
    const show = () => {
      const known = Number.isFinite(total) && total > 0;
      if (known) {
        bar.max = total;
        bar.value = Math.min(loaded, total);
      } else bar.removeAttribute("value");
      label.textContent = known
        ? `${what}: ${megabytes(loaded)} of ${megabytes(total)}`
        : `${what}: ${megabytes(loaded)}`;
      bar.setAttribute("aria-valuetext", label.textContent);
    };
    for (const f of fresh) {
      const read = readFile(f, (n) => {
        loaded += n;
        show();
      });
      // A failed read is not cached, so choosing the model again retries it.
      read.catch(() => cache.delete(f));
      cache.set(f, read);
    }
    if (fresh.length > 0) {
      active++;
      box.hidden = false;
      bar.setAttribute("aria-label", what);
      show();
    }
    try {
      return await Promise.all(files.map((f) => cache.get(f)!));
    } finally {
      if (fresh.length > 0 && --active === 0) box.hidden = true;
    }
  };
  return box;
}
