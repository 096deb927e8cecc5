/**
 * The playground's claim, measured in Node on the same library code (wasm backend): for each toy set and
 * seed, test accuracy of net A (full width only) and net B (random widths, sandwich rule) at 25%, 50% and
 * 100% of the hidden widths after a number of steps, with the page's default settings otherwise
 * (2→32→32→2, linear kernel, trapezoid rule, Adam 0.03, batch 32, noise 0, 50% train points).
 *
 * With --roughness, also each net's node roughness per layer along its hidden axes (integral/smoothness.ts).
 *
 *   npx tsx loaders/studies/playground-claim.ts [--data spiral,circles,xor,gaussians] [--seeds 1,2,3,4,5] [--steps 300,1000] [--roughness]
 */
import "@tensorflow/tfjs";
import { initBackend } from "../backend.js";
import { PlaygroundSession } from "../../src/lib/live/playground-session.js";
import type { ToyDatasetName } from "../../src/lib/data/toy-2d.js";
import { channelRoughness } from "../../src/lib/integral/smoothness.js";

const roughness = process.argv.includes("--roughness");
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return (i >= 0 ? process.argv[i + 1] : fallback).split(",");
};
await initBackend();
const data = arg("data", "spiral,circles,xor,gaussians") as ToyDatasetName[];
const seeds = arg("seeds", "1,2,3,4,5").map(Number);
const marks = arg("steps", "300,1000").map(Number);
const pct = (x: number) => (100 * x).toFixed(1).padStart(5);
process.stdout.write(`set        seed  steps   A 25%  B 25%  B−A    A 50%  B 50%   A 100%  B 100%\n`);
for (const name of data)
  for (const seed of seeds) {
    const session = new PlaygroundSession({
      data: name,
      noise: 0,
      trainFraction: 0.5,
      seed,
      hidden: [32, 32],
      kernel: "linear",
      quadrature: "trapezoid",
      learningRate: 0.03,
      batchSize: 32,
    });
    for (let step = 1; step <= Math.max(...marks); step++) {
      session.step();
      if (!marks.includes(step)) continue;
      const at = (f: number) => [
        session.evaluate("a", session.sizesAt(f)).accuracy,
        session.evaluate("b", session.sizesAt(f)).accuracy,
      ];
      const [a25, b25] = at(0.25);
      const [a50, b50] = at(0.5);
      const [a100, b100] = at(1);
      process.stdout.write(
        `${name.padEnd(10)} ${String(seed).padStart(4)} ${String(step).padStart(6)}   ${pct(a25)}  ${pct(b25)}  ${pct(b25 - a25)}   ${pct(a50)}  ${pct(b50)}   ${pct(a100)}  ${pct(b100)}\n`,
      );
    }
    if (roughness)
      for (const id of ["a", "b"] as const) {
        const net = session.nets[id];
        const values = net.layers.map((layer) => {
          const r = channelRoughness(layer, new Set(net.hiddenIds));
          const v = r.dataSync()[0];
          r.dispose();
          return v.toFixed(2);
        });
        process.stdout.write(`  roughness ${id.toUpperCase()} (per layer): ${values.join(" / ")}\n`);
      }
    session.dispose();
  }
