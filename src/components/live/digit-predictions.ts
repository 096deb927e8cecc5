/**
 * What each net makes of the drawn digit: per net a row with its name in its method's colour, the
 * predicted class and its probability, and ten bars (classes 0–9, the predicted one solid). The element
 * and each net's row carry data-predicted for tests.
 */
import { el, pct } from "../dom.js";
import { methodStyle } from "../style/methods.js";
import { methodSwatch } from "./cards.js";
import type { DigitPrediction } from "./panel.js";

export interface PredictionNet {
  tag: string;
  method: string;
}

export type DigitPredictionsElement = HTMLElement & {
  show(nets: readonly PredictionNet[], predictions: readonly DigitPrediction[]): void;
};

export function DigitPredictions(): DigitPredictionsElement {
  const box = el("div", { className: "live-probs", testid: "live-digit-probs" }) as unknown as DigitPredictionsElement;
  box.setAttribute("aria-live", "polite");
  box.show = (nets, predictions) => {
    if (predictions.length === 0) {
      box.replaceChildren(el("p", { className: "live-note", textContent: "Draw a digit on the black square." }));
      delete box.dataset.predicted;
      return;
    }
    const rows = predictions.map((p) => {
      const method = nets.find((n) => n.tag === p.tag)?.method ?? p.tag;
      const style = methodStyle(method);
      const probs = Array.from(p.probabilities);
      const best = probs.indexOf(Math.max(...probs));
      const bars = el("div", { className: "live-prob-bars" });
      bars.setAttribute("aria-hidden", "true");
      probs.forEach((v, k) => {
        const bar = el("span", {
          className: k === best ? "live-prob-bar best" : "live-prob-bar",
          title: `${k}: ${pct(v, 1)}`,
        });
        bar.style.height = `${Math.max(1, Math.round(100 * v))}%`;
        bar.style.background = style.color;
        bars.append(el("span", { className: "live-prob-slot" }, bar, el("small", {}, String(k))));
      });
      const name = el("span", { className: "live-prob-name" }, methodSwatch(style.color), style.short);
      const row = el(
        "div",
        { className: "live-prob-row", testid: `live-digit-${p.tag}` },
        name,
        el("span", { className: "live-prob-best" }, el("strong", {}, String(best)), ` ${pct(probs[best], 1)}`),
        bars,
      );
      row.dataset.predicted = String(best);
      row.dataset.method = method;
      row.dataset.color = style.color;
      row.setAttribute("aria-label", `${style.short} predicts ${best} with probability ${pct(probs[best], 1)}`);
      return { row, best };
    });
    box.dataset.predicted = String(rows[0].best);
    box.replaceChildren(...rows.map((r) => r.row));
  };
  box.show([], []);
  return box;
}
