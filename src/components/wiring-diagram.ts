/**
 * The channel-by-channel wiring of an interleaved grouped point-wise layer (src/lib/grouped/igpc.ts, its
 * `wiring()`): K's padded inputs (copies of the first channels, added to fill the last group, in orange),
 * K's groups (one-filter groups in purple), K's outputs, the interleave that sends neighbouring channels to
 * different groups, L's groups and outputs, and the sum y = yK + yL. Drawn as one SVG with a row per stage;
 * lines go through each group's box rather than input×output, so a 64-channel layer stays readable.
 */
import * as d3 from "d3";
import type { IgpcWiring } from "../lib/grouped/igpc.js";
import type { GroupWiring } from "../lib/grouped/uneven-grouped-pointwise.js";

export interface WiringDiagramOptions {
  width?: number;
}

export const WIRING_COLOURS = {
  channel: "#4e79a7",
  replicated: "#f28e2b",
  group: "#59a14f",
  oneFilter: "#b07aa1",
  interleave: "#999",
  sum: "#e15759",
};

type Row = { y: number; count: number };

export function WiringDiagram(wiring: IgpcWiring, options: WiringDiagramOptions = {}): SVGSVGElement {
  const width = options.width ?? 900;
  // On a narrow screen the row names go above their rows and the channels take the full width.
  const narrow = width < 600;
  const left = narrow ? 8 : 150;
  const right = 16;
  const hasL = wiring.l !== null;
  const rowGap = 70;
  const rowY = (k: number) => (narrow ? 44 : 36) + k * rowGap;
  const rows = {
    kIn: { y: rowY(0), count: wiring.k.paddedChannels },
    kBox: { y: rowY(1), count: 0 },
    kOut: { y: rowY(2), count: wiring.filters },
    lIn: { y: rowY(3), count: wiring.l?.paddedChannels ?? 0 },
    lBox: { y: rowY(4), count: 0 },
    lOut: { y: rowY(5), count: wiring.filters },
    sum: { y: rowY(6), count: wiring.filters },
  };
  const height = (hasL ? rowY(6) : rowY(2)) + 40;
  const at = (row: Row, i: number) => left + ((i + 0.5) * (width - left - right)) / row.count;
  const radius = (row: Row) => Math.max(2, Math.min(6, ((width - left - right) / row.count) * 0.32));

  const svg = d3
    .create("svg")
    .attr("viewBox", `0 0 ${width} ${height}`)
    .attr("width", "100%")
    .attr("role", "group")
    .attr("font-size", 13)
    .attr(
      "aria-label",
      `Wiring of an interleaved grouped point-wise layer, ${wiring.inChannels} inputs to ${wiring.filters} outputs`,
    );
  const el = svg.node()!;
  el.dataset.testid = "wiring-diagram";
  el.dataset.kGroups = String(wiring.k.groups.length);
  el.dataset.kOneFilterGroups = String(wiring.k.groups.filter((g) => g.oneFilter).length);
  el.dataset.replicated = String(wiring.k.replicated.length);
  el.dataset.lGroups = String(wiring.l?.groups.length ?? 0);

  const label = (y: number, text: string) =>
    svg
      .append("text")
      .attr("x", 4)
      .attr("y", narrow ? y - 13 : y + 4)
      .attr("fill", "currentColor")
      .text(text);
  const lines = svg.append("g").attr("stroke-width", 0.8).attr("fill", "none");
  /** Bring one group's edges forward (the others fade); null shows every edge again. */
  const highlight = (group: string | null) => {
    el.dataset.highlight = group ?? "";
    for (const line of lines.selectAll<SVGElement, unknown>("line, path").nodes()) {
      const on = group !== null && line.dataset.group === group;
      line.style.strokeOpacity = group === null ? "" : on ? "1" : "0.06";
      line.style.strokeWidth = on ? "2" : "";
    }
  };
  const boxes = svg.append("g");
  const dots = svg.append("g");

  /** Each group gets its own slot on the box row (so overlapping groups stay apart); lines fan in and out. */
  function drawGroups(groups: GroupWiring[], inRow: Row, boxY: number, outRow: Row, prefix: string) {
    const slots: Row = { y: boxY, count: groups.length };
    const slot = (width - left - right) / groups.length;
    const boxWidth = Math.max(4, Math.min(60, slot - 4));
    groups.forEach((g, gi) => {
      const cx = at(slots, gi);
      const colour = g.oneFilter ? WIRING_COLOURS.oneFilter : WIRING_COLOURS.group;
      const top = boxY - 8;
      const id = `${prefix}${gi}`;
      for (const p of g.paddedInputs) {
        lines
          .append("line")
          .attr("data-group", id)
          .attr("x1", at(inRow, p))
          .attr("y1", inRow.y)
          .attr("x2", cx)
          .attr("y2", top)
          .attr("stroke", colour)
          .attr("stroke-opacity", 0.55);
      }
      for (const o of g.outputs) {
        lines
          .append("line")
          .attr("data-group", id)
          .attr("x1", cx)
          .attr("y1", top + 16)
          .attr("x2", at(outRow, o))
          .attr("y2", outRow.y)
          .attr("stroke", colour)
          .attr("stroke-opacity", 0.55);
      }
      const describe = `${prefix} group ${gi}${g.oneFilter ? " (one-filter group)" : ""}: inputs ${g.inputs.join(", ")} → outputs ${g.outputs.join(", ")}`;
      boxes
        .append("rect")
        .attr("data-group", id)
        .attr("tabindex", 0)
        .attr("aria-label", describe)
        .style("cursor", "pointer")
        .on("pointerenter focus", () => highlight(id))
        .on("pointerleave blur", () => highlight(null))
        .attr("x", cx - boxWidth / 2)
        .attr("y", top)
        .attr("width", boxWidth)
        .attr("height", 16)
        .attr("rx", 3)
        .attr("fill", colour)
        .attr("fill-opacity", 0.85)
        .attr("stroke", "var(--theme-background, white)")
        .attr("class", g.oneFilter ? `${prefix}-group one-filter` : `${prefix}-group`)
        .append("title")
        .text(describe);
    });
  }

  function drawChannels(row: Row, name: string, replicated: Map<number, number>, className: string) {
    const r = radius(row);
    for (let i = 0; i < row.count; i++) {
      const source = replicated.get(i);
      dots
        .append("circle")
        .attr("cx", at(row, i))
        .attr("cy", row.y)
        .attr("r", r)
        .attr("fill", source === undefined ? WIRING_COLOURS.channel : WIRING_COLOURS.replicated)
        .attr("class", source === undefined ? className : `${className} replicated`)
        .append("title")
        .text(source === undefined ? `${name} ${i}` : `${name} position ${i}: a copy of channel ${source}`);
    }
  }

  // Layer K.
  label(
    rows.kIn.y,
    `input (${wiring.inChannels}${wiring.k.replicated.length ? ` + ${wiring.k.replicated.length} copies` : ""})`,
  );
  label(rows.kBox.y, "K groups");
  label(rows.kOut.y, `K output (${wiring.filters})`);
  drawGroups(wiring.k.groups, rows.kIn, rows.kBox.y, rows.kOut, "K");
  drawChannels(rows.kIn, "input channel", new Map(wiring.k.replicated.map((r) => [r.padded, r.source])), "k-in");

  if (wiring.l && wiring.interleave) {
    const perm = wiring.interleave;
    label(rows.lIn.y, "interleaved");
    label(rows.lBox.y, "L groups");
    label(rows.lOut.y, `L output (${wiring.filters})`);
    label(rows.sum.y, "sum yK + yL");
    // Interleave: L input position p reads K output perm[p] (copied positions read their source's channel).
    const lReplicated = new Map(wiring.l.replicated.map((r) => [r.padded, r.source]));
    for (let p = 0; p < rows.lIn.count; p++) {
      const from = perm[lReplicated.get(p) ?? p];
      lines
        .append("line")
        .attr("x1", at(rows.kOut, from))
        .attr("y1", rows.kOut.y)
        .attr("x2", at(rows.lIn, p))
        .attr("y2", rows.lIn.y)
        .attr("stroke", lReplicated.has(p) ? WIRING_COLOURS.replicated : WIRING_COLOURS.interleave);
    }
    // L's groups as the plan sees them: over its padded input positions.
    const lGroups = wiring.l.groups.map((g) => ({ ...g }));
    drawGroups(lGroups, rows.lIn, rows.lBox.y, rows.lOut, "L");
    drawChannels(rows.lIn, "L input", lReplicated, "l-in");
    drawChannels(rows.lOut, "L output", new Map(), "l-out");
    // The sum: K's output o joins L's output o (the skip drawn as a curve on the left of the column).
    for (let o = 0; o < wiring.filters; o++) {
      const xk = at(rows.kOut, o);
      const xs = at(rows.sum, o);
      lines
        .append("line")
        .attr("x1", xs)
        .attr("y1", rows.lOut.y)
        .attr("x2", xs)
        .attr("y2", rows.sum.y)
        .attr("stroke", WIRING_COLOURS.sum);
      lines
        .append("path")
        .attr("d", `M${xk},${rows.kOut.y} C${xk - 14},${rows.lIn.y} ${xs - 14},${rows.lOut.y} ${xs},${rows.sum.y}`)
        .attr("stroke", WIRING_COLOURS.sum)
        .attr("stroke-opacity", 0.22)
        .attr("stroke-dasharray", "3,2");
    }
    const r = radius(rows.sum);
    for (let o = 0; o < wiring.filters; o++) {
      dots
        .append("circle")
        .attr("cx", at(rows.sum, o))
        .attr("cy", rows.sum.y)
        .attr("r", r + 1)
        .attr("fill", "var(--theme-background, white)")
        .attr("stroke", WIRING_COLOURS.sum)
        .attr("class", "sum")
        .append("title")
        .text(`output ${o} = K output ${o} + L output ${o}`);
    }
  }
  drawChannels(rows.kOut, "K output", new Map(), "k-out");
  return el;
}
