/**
 * Draw-a-digit: a square canvas the reader draws on with the mouse, finger or pen. On every stroke the
 * ink is turned into an MNIST-style 28×28 image (lib/live/digit-image.ts) and an "input" event fires;
 * `.value` is that image. `drawDigit(pixels28)` paints a 28×28 image (e.g. a test digit) onto the canvas
 * as strokes would, for demonstrations and tests.
 */
import { mnistStyleDigit, upscaleDigit } from "../../lib/live/digit-image.js";

export type DigitCanvasElement = HTMLDivElement & {
  value: Float32Array | null;
  drawDigit(pixels: ArrayLike<number>): void;
  clear(): void;
};

export function DigitCanvas(options: { side?: number } = {}): DigitCanvasElement {
  const side = options.side ?? 224;
  const box = document.createElement("div") as DigitCanvasElement;
  box.className = "live-draw";
  const canvas = document.createElement("canvas");
  canvas.width = side;
  canvas.height = side;
  canvas.dataset.testid = "live-draw-canvas";
  canvas.setAttribute("role", "img");
  canvas.setAttribute(
    "aria-label",
    "Drawing pad: draw a digit with the mouse, a pen or a finger; the nets' predictions are shown beside it",
  );
  canvas.style.cssText =
    "border:1px solid var(--theme-foreground-faint, #ccc); touch-action:none; background:#000; cursor:crosshair";
  const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
  const clearButton = document.createElement("button");
  clearButton.type = "button";
  clearButton.textContent = "Clear";
  clearButton.setAttribute("aria-label", "Clear the drawing pad");
  box.append(canvas, document.createElement("br"), clearButton);
  box.value = null;

  const update = () => {
    const rgba = ctx.getImageData(0, 0, side, side).data;
    const ink = new Float32Array(side * side);
    for (let i = 0; i < ink.length; i++) ink[i] = rgba[4 * i] / 255;
    const digit = mnistStyleDigit(ink, side, side);
    box.value = digit.some((v) => v > 0) ? digit : null;
    box.dispatchEvent(new Event("input", { bubbles: true }));
  };
  box.clear = () => {
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, side, side);
    update();
  };
  box.drawDigit = (pixels) => {
    const big = upscaleDigit(pixels, side);
    const image = ctx.createImageData(side, side);
    big.forEach((v, i) => {
      const g = Math.round(255 * Math.max(0, Math.min(1, v)));
      image.data.set([g, g, g, 255], 4 * i);
    });
    ctx.putImageData(image, 0, 0);
    update();
  };
  let drawing = false;
  let last: [number, number] | null = null;
  const at = (e: PointerEvent): [number, number] => {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) * side) / r.width, ((e.clientY - r.top) * side) / r.height];
  };
  canvas.addEventListener("pointerdown", (e) => {
    drawing = true;
    last = at(e);
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!drawing || !last) return;
    const p = at(e);
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = side / 14;
    ctx.lineCap = "round";
    ctx.beginPath();
    ctx.moveTo(...last);
    ctx.lineTo(...p);
    ctx.stroke();
    last = p;
  });
  const end = () => {
    if (!drawing) return;
    drawing = false;
    last = null;
    update();
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointerleave", end);
  clearButton.addEventListener("click", () => box.clear());
  ctx.fillStyle = "#000";
  ctx.fillRect(0, 0, side, side);
  return box;
}
