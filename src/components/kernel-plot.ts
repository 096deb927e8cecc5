/**
 * The interpolation kernel u(s) of src/lib/math/interpolation.ts as a chart: the chosen kernel in colour, the
 * other standard kernels faint for comparison, dots at the integers where an interpolating kernel must be
 * 1 (s = 0) or 0 (s = ±1, ±2). The figure carries the kernel's name, A and a few u values as data
 * attributes so a test can see what is drawn.
 */
import * as Plot from "@observablehq/plot";
import { figureFrame } from "./style/figure.js";
import { cubicKernel, linearKernel, nearestKernel, type InterpolationKernel } from "../lib/math/interpolation.js";

export interface KernelPlotOptions {
  width?: number;
  height?: number;
  /** Draw the standard kernels (cubic A = −0.5, A = −0.75, linear, nearest) faintly behind (default true). */
  compare?: boolean;
}

export function kernelLabel(kernel: InterpolationKernel): string {
  return kernel.name === "cubic" ? `cubic, A = ${Number(kernel.a!.toFixed(3))}` : kernel.name;
}

function curve(kernel: InterpolationKernel, label: string, samples = 481): { s: number; u: number; kernel: string }[] {
  const out = [];
  for (let i = 0; i < samples; i++) {
    const s = -2.6 + (5.2 * i) / (samples - 1);
    out.push({ s, u: kernel.weight(s), kernel: label });
  }
  return out;
}

export function KernelPlot(kernel: InterpolationKernel, options: KernelPlotOptions = {}): HTMLElement {
  const { width = 640, height = 300, compare = true } = options;
  const label = kernelLabel(kernel);
  const references = compare
    ? [cubicKernel(-0.5), cubicKernel(-0.75), linearKernel, nearestKernel].filter((k) => kernelLabel(k) !== label)
    : [];
  const ghost = references.flatMap((k) => curve(k, kernelLabel(k)));
  const main = curve(kernel, label);
  const integers = [-2, -1, 0, 1, 2].map((s) => ({ s, u: kernel.weight(s) }));
  const plot = Plot.plot({
    width,
    height,
    marginLeft: 48,
    marginBottom: 40,
    x: { label: "s (distance from a node, in node spacings)", domain: [-2.6, 2.6], ticks: 11 },
    y: { label: "u(s)", domain: [-0.25, 1.1], grid: true },
    color: {
      legend: true,
      domain: [label, ...references.map(kernelLabel)],
      range: ["#2f6fdf", "#e8590c", "#8d5715", "#7048e8", "#868e96"],
    },
    marks: [
      Plot.ruleY([0], { stroke: "currentColor", strokeOpacity: 0.4 }),
      Plot.ruleX([-2, -1, 1, 2], { stroke: "currentColor", strokeOpacity: 0.12 }),
      Plot.line(ghost, {
        x: "s",
        y: "u",
        z: "kernel",
        stroke: "kernel",
        strokeDasharray: "4,3",
        strokeWidth: 1.3,
        strokeOpacity: 0.7,
      }),
      Plot.line(main, { x: "s", y: "u", stroke: "kernel", strokeWidth: 3 }),
      Plot.dot(integers, {
        x: "s",
        y: "u",
        fill: "#2f6fdf",
        r: 4,
        tip: true,
        title: (d: { s: number; u: number }) => `u(${d.s}) = ${d.u.toFixed(3)}`,
      }),
    ],
  }) as HTMLElement;
  const figure = figureFrame(plot, {
    title: `Interpolation kernel u(s): ${label}`,
    description: `The interpolation kernel u(s) (${label}) against the distance s from a node, from −2.6 to 2.6 node spacings, with the other standard kernels dashed for comparison; u is 1 at s = 0 and 0 at the other integers.`,
    download: `kernel-${kernel.name}`,
    testid: "kernel-plot",
  });
  figure.dataset.kernel = kernel.name;
  if (kernel.a !== undefined) figure.dataset.a = String(kernel.a);
  figure.dataset.uHalf = String(kernel.weight(0.5));
  figure.dataset.uOneAndHalf = String(kernel.weight(1.5));
  return figure;
}
