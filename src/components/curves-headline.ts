/**
 * The curves page's headline as stat cards (Framework's grid and card classes): full-size accuracy, the
 * integral net against L1 pruning at each headline compression, and what the numbers rest on. Every value
 * comes from curvesHeadline (src/lib/views/curves-summary.ts); the data attributes carry them for tests.
 */
import { headlineSentence, type CurvesHeadline } from "../lib/views/curves-summary.js";
import { methodStyle } from "./style/methods.js";

const pct = (x: number | null) => (x === null ? "—" : `${(100 * x).toFixed(1)}%`);

function card(value: string, color: string | null, lines: (string | Node)[], data: Record<string, string>) {
  const div = document.createElement("div");
  div.className = "card";
  for (const [k, v] of Object.entries(data)) div.dataset[k] = v;
  const stat = document.createElement("div");
  stat.className = "il-stat";
  stat.textContent = value;
  if (color) stat.style.color = color;
  div.append(stat);
  for (const line of lines) {
    const p = document.createElement("p");
    p.className = "il-stat-label";
    p.append(line);
    div.append(p);
  }
  return div;
}

export function HeadlineCards(h: CurvesHeadline): HTMLElement {
  const root = document.createElement("section");
  root.dataset.testid = "curves-headline";
  root.setAttribute("aria-label", headlineSentence(h));
  const grid = document.createElement("div");
  grid.className = "il-stats";
  const inn = methodStyle("inn-scratch");
  const l1 = methodStyle("discrete-l1");
  const what = h.axis === "params" ? "parameters" : "FLOPs";
  grid.append(
    card(pct(h.full.inn), inn.color, [`integral net, full size`, `discrete twin ${pct(h.full.discrete)}`], {
      kind: "full",
      inn: String(h.full.inn),
      discrete: String(h.full.discrete),
    }),
    ...h.at.map((a) =>
      card(
        pct(a.inn),
        inn.color,
        [`integral net, ${Math.round(100 * a.compression)}% fewer ${what}`, `${l1.short}: ${pct(a.l1)}`],
        { kind: "at", compression: String(a.compression), inn: String(a.inn), l1: String(a.l1) },
      ),
    ),
    card(
      `${h.seeds} seed${h.seeds === 1 ? "" : "s"}`,
      null,
      [`${h.testImages.toLocaleString("en-US")} test images`, `${h.dataset}, no fine-tuning`],
      { kind: "seeds", seeds: String(h.seeds), testImages: String(h.testImages) },
    ),
  );
  root.append(grid);
  return root;
}
