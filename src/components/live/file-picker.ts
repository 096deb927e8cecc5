/**
 * Bring-your-own model: a file input taking either one model file (this library's single-file format,
 * *.model) or a tfjs layers model (model.json plus its weights .bin, both selected together). The
 * callback gets the files sorted into those cases; errors it throws are shown under the picker and the
 * page carries on with the model it had.
 */
import * as Inputs from "@observablehq/inputs";
import { errorMessage } from "../dom.js";

export type PickedModel =
  | { kind: "model-file"; name: string; bytes: Uint8Array }
  | { kind: "tfjs"; name: string; modelJson: string; weights: ArrayBuffer };

export async function readPickedFiles(files: readonly File[]): Promise<PickedModel> {
  if (files.length === 0) throw new Error("no file chosen");
  const json = files.find((f) => f.name.endsWith(".json"));
  if (json) {
    const bin = files.find((f) => f !== json);
    if (!bin)
      throw new Error(
        `${json.name}: a tfjs layers model needs its weights file too — select model.json and the .bin together`,
      );
    if (files.length > 2) throw new Error(`choose model.json and one weights file, not ${files.length} files`);
    return { kind: "tfjs", name: json.name, modelJson: await json.text(), weights: await bin.arrayBuffer() };
  }
  if (files.length > 1)
    throw new Error(`choose one .model file (or model.json with its .bin), not ${files.length} files`);
  return { kind: "model-file", name: files[0].name, bytes: new Uint8Array(await files[0].arrayBuffer()) };
}

export function ModelFilePicker(onModel: (picked: PickedModel) => Promise<void>): HTMLElement {
  const form = Inputs.file({ label: "Model file(s)", multiple: true, accept: ".model,.json,.bin" });
  const input = form.querySelector<HTMLInputElement>("input[type=file]")!;
  input.dataset.testid = "live-file";
  const message = document.createElement("p");
  message.dataset.testid = "live-file-message";
  message.className = "live-note";
  message.setAttribute("role", "status");
  const box = document.createElement("div");
  box.className = "live-file-picker";
  box.append(form, message);
  input.addEventListener("change", async () => {
    const files = Array.from(input.files ?? []);
    message.className = "live-note";
    message.dataset.state = "loading";
    message.textContent = "loading…";
    try {
      const picked = await readPickedFiles(files);
      await onModel(picked);
      message.textContent = `Loaded ${picked.name}.`;
      message.dataset.state = "ok";
    } catch (error) {
      message.className = "live-note warning";
      message.dataset.state = "error";
      // The reader must see which file failed, even when the error itself does not say.
      const text = errorMessage(error);
      const named = files.some((f) => text.includes(f.name)) || files.length === 0;
      const names = files.map((f) => f.name).join(" + ");
      message.textContent = `Could not use ${named ? "this file" : names}: ${text}. The previous model is still loaded.`;
    }
  });
  return box;
}
