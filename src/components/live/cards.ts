/**
 * The live page's stat cards. An accuracy card for one net: the net's name in its method's colour (components/style/methods.ts,
 * the curves page's colour for the same method), the figure large, and under it how sure it is — a
 * subset estimate with its 95% interval while the rest of the test set is evaluated, then the exact
 * figure. The figure's element carries the estimate as data attributes (accuracy, evaluated, final,
 * request) for tests. A cost card: parameters and FLOPs at the prepared sizes.
 */
import { el, pct, si } from "../dom.js";
import { methodStyle } from "../style/methods.js";
import type { AccuracyEstimate } from "../../lib/live/accuracy-estimate.js";

export interface AccuracyCardOptions {
  /** data-testid of the figure (e.g. "live-acc-inn"). */
  testid: string;
  /** Method id of the net (its colour and short name), e.g. "inn-scratch", "discrete-l1". */
  method: string;
  /** What the net is, under its name ("resampled, no fine-tuning"). */
  caption: string;
}

export type AccuracyCardElement = HTMLElement & { show(estimate: AccuracyEstimate, request: number): void };

export function AccuracyCard(o: AccuracyCardOptions): AccuracyCardElement {
  const style = methodStyle(o.method);
  const name = el("span", { className: "live-card-name" }, methodSwatch(style.color), style.short);
  const figure = el("span", { className: "live-card-figure", testid: o.testid, textContent: "…" });
  const detail = el("span", { className: "live-card-detail", textContent: "waiting for the first images" });
  const card = el(
    "div",
    { className: "card live-card" },
    name,
    el("span", { className: "live-card-caption", textContent: o.caption }),
    figure,
    detail,
  ) as unknown as AccuracyCardElement;
  card.dataset.method = o.method;
  card.dataset.color = style.color;
  card.style.borderTopColor = style.color;
  card.setAttribute("role", "status");
  card.show = (e, request) => {
    figure.textContent = pct(e.accuracy, e.final ? 2 : 1);
    figure.dataset.accuracy = String(e.accuracy);
    figure.dataset.evaluated = String(e.evaluated);
    figure.dataset.final = String(e.final);
    figure.dataset.request = String(request);
    detail.textContent = e.final
      ? `all ${e.total.toLocaleString("en")} test images`
      : `± ${pct(1.96 * e.standardError, 1)} (95%) on ${e.evaluated.toLocaleString("en")} of ${e.total.toLocaleString("en")} images; refining…`;
    card.setAttribute("aria-label", `${style.short}: ${pct(e.accuracy, 2)} test accuracy, ${detail.textContent}`);
  };
  return card;
}

/** "16.5 k of 64.9 k parameters; 2.62 M of 10.26 M FLOPs per image (−74.4%)" */
export function costText(c: { params: number; flops: number; after: Cost; full: Cost }): string {
  const flops = c.flops > 0 ? ` (−${pct(c.flops, 1)})` : "";
  return `${si(c.after.params)} of ${si(c.full.params)} parameters; ${si(c.after.flops)} of ${si(c.full.flops)} FLOPs per image${flops}`;
}

interface Cost {
  params: number;
  flops: number;
}

/** A card with the parameter and FLOP counts at the prepared sizes (data-params, data-flops, data-compression). */
export function CostCard(
  testid: string,
  note: string,
): HTMLElement & { show(c: Parameters<typeof costText>[0]): void } {
  const line = el("span", { className: "live-card-detail", testid, textContent: "…" });
  const figure = el("span", { className: "live-card-figure", textContent: "…" });
  const card = el(
    "div",
    { className: "card live-card live-cost-card" },
    el("span", { className: "live-card-name", textContent: "Removed" }),
    el("span", { className: "live-card-caption", textContent: note }),
    figure,
    line,
  ) as unknown as HTMLElement & { show(c: Parameters<typeof costText>[0]): void };
  card.show = (c) => {
    figure.textContent = pct(c.params, 1);
    figure.title = "parameters removed (compression)";
    line.dataset.params = String(c.after.params);
    line.dataset.flops = String(c.after.flops);
    line.dataset.compression = String(c.params);
    line.textContent = costText(c);
  };
  return card;
}

/** A method's colour as a small square before its name: the name itself stays in the text colour (4.5:1). */
export function methodSwatch(color: string): HTMLElement {
  const swatch = el("span", { className: "live-swatch" });
  swatch.setAttribute("aria-hidden", "true");
  swatch.style.background = color;
  return swatch;
}
