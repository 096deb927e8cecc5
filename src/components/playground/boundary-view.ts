/**
 * A net's decision boundary over the plane [-1, 1]²: P(class 1) on a coarse grid painted into a small
 * canvas that CSS scales up (the browser's smoothing makes the boundary look continuous), with the
 * training points on top as an SVG layer drawn once per data set.
 */
import type { ToyPoints } from "../../lib/data/toy-2d.js";
import { backgroundRgb, CLASS_COLORS, rgb } from "./colors.js";

const SVG = "http://www.w3.org/2000/svg";

export class BoundaryView {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly context: CanvasRenderingContext2D;
  private readonly image: ImageData;
  private readonly dots: SVGGElement;
  private palette: Uint8ClampedArray = new Uint8ClampedArray(256 * 3);

  constructor(
    readonly resolution: number,
    testid: string,
    label: string,
  ) {
    this.element = document.createElement("div");
    this.element.className = "pg-boundary";
    this.element.dataset.testid = testid;
    this.canvas = document.createElement("canvas");
    this.canvas.width = resolution;
    this.canvas.height = resolution;
    this.canvas.setAttribute("role", "img");
    this.canvas.setAttribute("aria-label", label);
    this.context = this.canvas.getContext("2d")!;
    this.image = this.context.createImageData(resolution, resolution);
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "-1 -1 2 2");
    svg.setAttribute("aria-hidden", "true");
    this.dots = document.createElementNS(SVG, "g");
    svg.append(this.dots);
    this.element.append(this.canvas, svg);
    this.updatePalette();
  }

  /** Re-read the page background (light or dark theme) for the colour at p = ½. */
  updatePalette(): void {
    const mid = backgroundRgb();
    const [c0, c1] = CLASS_COLORS.map(rgb);
    for (let k = 0; k < 256; k++) {
      const t = (k / 255) * 2 - 1;
      const end = t < 0 ? c0 : c1;
      const a = 0.82 * Math.min(1, Math.abs(t) * 1.15);
      for (let ch = 0; ch < 3; ch++) this.palette[3 * k + ch] = mid[ch] + (end[ch] - mid[ch]) * a;
    }
  }

  /** Paint P(class 1) on the grid (row-major from the top-left, resolution² values). */
  draw(probabilities: Float32Array): void {
    const n = this.resolution * this.resolution;
    if (probabilities.length !== n)
      throw new Error(`BoundaryView: ${probabilities.length} values for a ${this.resolution}² grid`);
    const pixels = this.image.data;
    for (let i = 0; i < n; i++) {
      const k = 3 * Math.max(0, Math.min(255, Math.round(probabilities[i] * 255)));
      pixels[4 * i] = this.palette[k];
      pixels[4 * i + 1] = this.palette[k + 1];
      pixels[4 * i + 2] = this.palette[k + 2];
      pixels[4 * i + 3] = 255;
    }
    this.context.putImageData(this.image, 0, 0);
  }

  /** Draw the points (x right, y up), coloured by class. */
  setPoints(points: ToyPoints): void {
    const circles: SVGCircleElement[] = [];
    for (let i = 0; i < points.count; i++) {
      const c = document.createElementNS(SVG, "circle");
      c.setAttribute("cx", String(points.xy[2 * i]));
      c.setAttribute("cy", String(-points.xy[2 * i + 1]));
      c.setAttribute("r", "0.022");
      c.setAttribute("fill", CLASS_COLORS[points.labels[i]]);
      circles.push(c);
    }
    this.dots.replaceChildren(...circles);
  }
}
