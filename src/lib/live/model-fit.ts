/**
 * Does a model fit the data a live page evaluates it on? Its input (height × width × channels) and its
 * class count must equal the test set's; otherwise evaluation fails inside a convolution or, worse,
 * shows a chance-level figure with no warning. Checked on a file's declared shapes, before any tensor
 * is built, so a refused file leaves the page as it was.
 */
import type { InputShape } from "../model.js";

/** "28×28×1 images in 10 classes" */
export function describeInput(shape: InputShape): string {
  return `${shape.height}×${shape.width}×${shape.channels} images in ${shape.classes} classes`;
}

/** The mismatch between what `model` takes and what `data` holds, as a sentence; undefined when they fit. */
export function inputFitProblem(model: InputShape, data: InputShape, dataName: string): string | undefined {
  const keys = ["height", "width", "channels", "classes"] as const;
  if (keys.every((k) => model[k] === data[k])) return undefined;
  return `the model takes ${describeInput(model)}, but ${dataName} has ${describeInput(data)}`;
}

/** The data a model must fit: its shape and its name for messages ("mnist-test.evalset"). */
export interface FitTarget {
  shape: InputShape;
  name: string;
}

/** Throw `<file>: <problem>` unless the model in file `file`, which takes `model`, fits `data`. */
export function checkInputFits(model: InputShape, data: FitTarget, file: string): void {
  const problem = inputFitProblem(model, data.shape, data.name);
  if (problem) throw new Error(`${file}: ${problem}`);
}
