/**
 * Small DOM helpers for components: an element builder, a browser-side download, a macrotask yield, and
 * the number formats the live page shows (percentages, SI counts).
 */

/** `el("p", { className: "x", testid: "y" }, "text", child)`: props are assigned, `testid` becomes data-testid. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> & { testid?: string } = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  const { testid, ...rest } = props;
  Object.assign(node, rest);
  if (testid) node.dataset.testid = testid;
  node.append(...children);
  return node;
}

/** Save `data` as a file named `name` (Blob + object URL: nothing is fetched). */
export function download(name: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = el("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Resolves after the browser has had a chance to paint and handle input (a message-channel macrotask). */
export function yieldToPage(): Promise<void> {
  return new Promise<void>((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

/** 0.9734 → "97.34%" (`digits` decimals). */
export const pct = (x: number, digits = 2): string => `${(100 * x).toFixed(digits)}%`;

/** 1234567 → "1.23 M", 4567 → "4.6 k", 12 → "12". */
export const si = (x: number): string =>
  x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : String(x);

/** The message of anything thrown. */
export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Append one cell per text to `row`; cells from index `firstNumeric` on are numbers (right-aligned). */
export function fillRow(row: HTMLTableRowElement, cells: readonly string[], firstNumeric: number): void {
  for (const [k, c] of cells.entries()) {
    const td = row.insertCell();
    td.textContent = c;
    if (k >= firstNumeric) td.className = "num";
  }
}

/** A wide table in a box that scrolls sideways, so its columns survive a phone's width. */
export function scrollBox(table: HTMLTableElement): HTMLElement {
  const box = document.createElement("div");
  box.className = "il-scroll-x";
  box.append(table);
  return box;
}
