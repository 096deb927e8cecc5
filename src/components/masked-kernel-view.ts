/**
 * Dense versus masked, side by side: a k×k kernel's weights, the binary mask, and W ⊙ M, as three small
 * heat maps with the numbers written in. Diverging colours (blue negative, red positive); dropped taps grey.
 */
import * as d3 from "d3";

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
  wrap.dataset.testid = "masked-kernel";
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
      .attr("font-size", 11)
      .attr("font-family", "system-ui, sans-serif");
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
        .attr("fill", v === null ? "#e6e6e6" : isMask ? (v ? "#4e79a7" : "white") : colour(v))
        .attr("stroke", "#bbb");
      svg
        .append("text")
        .attr("x", x + cell / 2)
        .attr("y", y + cell / 2 + 4)
        .attr("text-anchor", "middle")
        .attr("fill", (isMask && v) || (!isMask && v !== null && Math.abs(v) > 0.6 * limit) ? "white" : "#222")
        .text(v === null ? "0" : isMask ? String(v) : v.toFixed(2));
    }
    wrap.append(svg.node()!);
  }
  return wrap;
}
