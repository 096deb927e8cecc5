/**
 * Dense versus masked, side by side: a k×k kernel's weights, the binary mask, and W ⊙ M, as three small
 * heat maps with the numbers written in. Diverging colours (blue negative, red positive); dropped taps grey.
 */
import * as d3 from "d3";
import { figureFrame } from "./style/figure.js";

export function MaskedKernelView(
  weights: readonly number[],
  mask: readonly number[],
  k: number,
  options: { cell?: number } = {},
): HTMLElement {
  const cell = options.cell ?? 46;
  const limit = Math.max(1e-9, ...weights.map(Math.abs));
  const colour = d3.scaleDiverging([-limit, 0, limit], d3.interpolateRdBu).unknown("#eee");
  const wrap = document.createElement("div");
  wrap.style.cssText = "display:flex;gap:28px;flex-wrap:wrap;align-items:flex-start;margin:0.5em 0";
  const panels: [string, (i: number) => number | null][] = [
    ["dense weights W", (i) => weights[i]],
    ["mask M", (i) => mask[i]],
    ["masked W ⊙ M", (i) => (mask[i] ? weights[i] : null)],
  ];
  for (const [title, value] of panels) {
    const size = k * cell;
    const svg = d3
      .create("svg")
      .attr("width", size)
      .attr("height", size + 22)
      .attr("font-size", 11);
    svg.append("text").attr("x", 0).attr("y", 13).attr("font-weight", "bold").attr("fill", "currentColor").text(title);
    for (let i = 0; i < k * k; i++) {
      const v = value(i);
      const isMask = title === "mask M";
      const x = (i % k) * cell,
        y = 22 + Math.floor(i / k) * cell;
      svg
        .append("rect")
        .attr("x", x + 1)
        .attr("y", y + 1)
        .attr("width", cell - 2)
        .attr("height", cell - 2)
        .style(
          "fill",
          v === null
            ? "var(--theme-foreground-faintest)"
            : isMask
              ? v
                ? "#2f6fdf"
                : "var(--theme-background)"
              : colour(v),
        )
        .attr("stroke", "currentColor")
        .attr("stroke-opacity", 0.3);
      svg
        .append("text")
        .attr("x", x + cell / 2)
        .attr("y", y + cell / 2 + 4)
        .attr("text-anchor", "middle")
        .style(
          "fill",
          (isMask && v) || (!isMask && v !== null && Math.abs(v) > 0.6 * limit)
            ? "white"
            : isMask || v === null
              ? "currentColor"
              : "#222",
        )
        .text(v === null ? "0" : isMask ? String(v) : v.toFixed(2));
    }
    wrap.append(svg.node()!);
  }
  const kept = mask.reduce((a, b) => a + b, 0);
  return figureFrame(wrap, {
    description: `Three ${k}×${k} grids: the dense kernel's weights, the mask (${kept} of ${k * k} taps kept) and the masked weights, with each value written in its cell.`,
    testid: "masked-kernel",
  });
}
