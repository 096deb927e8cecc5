/** The playground's palette: the two classes (as TensorFlow Playground colours them) and the two nets. */

export const CLASS_COLORS = ["#f59322", "#0877bd"] as const;
export const NET_COLORS = { a: "#8c6bb1", b: "#1b9e77" } as const;

/** [r, g, b] of a #rrggbb colour. */
export function rgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/** The page background as [r, g, b] (the heat maps fade to it at p = ½, in light and dark themes alike). */
export function backgroundRgb(element: Element = document.body): [number, number, number] {
  const match = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(getComputedStyle(element).backgroundColor);
  if (!match || getComputedStyle(element).backgroundColor === "rgba(0, 0, 0, 0)")
    return matchMedia("(prefers-color-scheme: dark)").matches ? [22, 22, 22] : [255, 255, 255];
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}
