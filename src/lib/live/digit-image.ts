/**
 * A drawn digit made to look like an MNIST test image, the way MNIST itself was made: the ink's bounding
 * box scaled (aspect kept) to fit 20×20, then placed in a 28×28 frame so that its centre of mass sits at
 * the centre. Without this a digit drawn small or off-centre on a large canvas is not what the net saw.
 */
export const MNIST_SIDE = 28;
const BOX = 20;

/**
 * `ink` is a row-major [height, width] map of ink in [0, 1] (e.g. a canvas's alpha / 255). Returns a
 * 28×28 Float32Array in [0, 1]; all zeros when there is no ink.
 */
export function mnistStyleDigit(ink: ArrayLike<number>, width: number, height: number): Float32Array {
  if (ink.length !== width * height)
    throw new Error(`mnistStyleDigit: ${ink.length} ink values for a ${width}×${height} image`);
  let top = height,
    bottom = -1,
    left = width,
    right = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] > 0.05) {
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
    }
  }
  const out = new Float32Array(MNIST_SIDE * MNIST_SIDE);
  if (bottom < 0) return out;
  const boxW = right - left + 1;
  const boxH = bottom - top + 1;
  const scale = BOX / Math.max(boxW, boxH);
  const w = Math.max(1, Math.round(boxW * scale));
  const h = Math.max(1, Math.round(boxH * scale));
  // Area-average downsampling of the bounding box into w × h.
  const small = new Float32Array(w * h);
  for (let j = 0; j < h; j++) {
    const y0 = top + (j * boxH) / h,
      y1 = top + ((j + 1) * boxH) / h;
    for (let i = 0; i < w; i++) {
      const x0 = left + (i * boxW) / w,
        x1 = left + ((i + 1) * boxW) / w;
      let sum = 0,
        area = 0;
      for (let y = Math.floor(y0); y < Math.ceil(y1); y++) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        for (let x = Math.floor(x0); x < Math.ceil(x1); x++) {
          const wx = Math.min(x + 1, x1) - Math.max(x, x0);
          sum += wx * wy * ink[y * width + x];
          area += wx * wy;
        }
      }
      small[j * w + i] = area > 0 ? Math.min(1, sum / area) : 0;
    }
  }
  // Centre of mass of the scaled digit, moved to pixel (14, 14) as MNIST's own images have it (in pixel
  // index units, i.e. 14.5 in the edge coordinates used here): with the frame's geometric centre instead,
  // most test digits painted onto the canvas came back shifted by one pixel (40 of the first 200 test
  // images round-tripped exactly, against 186 this way).
  let mass = 0,
    cx = 0,
    cy = 0;
  for (let j = 0; j < h; j++)
    for (let i = 0; i < w; i++) {
      const v = small[j * w + i];
      mass += v;
      cx += v * (i + 0.5);
      cy += v * (j + 0.5);
    }
  const offX = Math.round(MNIST_SIDE / 2 + 0.5 - cx / mass);
  const offY = Math.round(MNIST_SIDE / 2 + 0.5 - cy / mass);
  for (let j = 0; j < h; j++)
    for (let i = 0; i < w; i++) {
      const x = i + offX,
        y = j + offY;
      if (x >= 0 && x < MNIST_SIDE && y >= 0 && y < MNIST_SIDE) out[y * MNIST_SIDE + x] = small[j * w + i];
    }
  return out;
}

/** Nearest-neighbour upscaling of a 28×28 digit to `side`×`side` (to paint a test digit onto a canvas). */
export function upscaleDigit(digit: ArrayLike<number>, side: number): Float32Array {
  if (digit.length !== MNIST_SIDE * MNIST_SIDE)
    throw new Error(`upscaleDigit: expected ${MNIST_SIDE * MNIST_SIDE} values, got ${digit.length}`);
  const out = new Float32Array(side * side);
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) {
      out[y * side + x] = digit[Math.floor((y * MNIST_SIDE) / side) * MNIST_SIDE + Math.floor((x * MNIST_SIDE) / side)];
    }
  return out;
}
