/**
 * Bring-your-own model: a file input taking either one model file (this library's single-file format,
 * *.model) or a tfjs layers model (model.json plus its weight files, all selected together). The
 * callback gets the files sorted into those cases and a way to report progress under the picker; errors
 * it throws are shown there and the page carries on with the model it had.
 */
import * as Inputs from "@observablehq/inputs";
import { errorMessage } from "../dom.js";

export type PickedModel =
  | { kind: "model-file"; name: string; bytes: Uint8Array }
  /** model.json's text and every other file chosen with it (its weight shards), by name. */
  | { kind: "tfjs"; name: string; modelJson: string; weights: Record<string, ArrayBuffer> };

export async function readPickedFiles(files: readonly File[]): Promise<PickedModel> {
  if (files.length === 0) throw new Error("no file chosen");
  const jsons = files.filter((f) => f.name.endsWith(".json"));
  if (jsons.length > 1) throw new Error(`choose one model.json (with its .bin files), not ${jsons.length}`);
  const json = jsons[0];
  if (json) {
    const bins = files.filter((f) => f !== json);
    if (bins.length === 0)
      throw new Error(
        `${json.name}: a tfjs layers model needs its weights file too — select model.json and the .bin together`,
      );
    const weights: Record<string, ArrayBuffer> = {};
    for (const bin of bins) weights[bin.name] = await bin.arrayBuffer();
    return { kind: "tfjs", name: json.name, modelJson: await json.text(), weights };
  }
  if (files.length > 1)
    throw new Error(`choose one .model file (or model.json with its .bin), not ${files.length} files`);
  return { kind: "model-file", name: files[0].name, bytes: new Uint8Array(await files[0].arrayBuffer()) };
}

/** Shows a step of the work on a picked model under the picker ("converting model.json: ordering …"). */
export type PickProgress = (message: string) => void;

/**
 * `onModel` is called as soon as files are chosen (so a later choice elsewhere on the page is known to be
 * later), with the files being read. It resolves with nothing when the model is shown, or with a sentence
 * when it is not because another model was chosen meanwhile (shown as it is, data-state "superseded").
 */
export function ModelFilePicker(
  onModel: (picked: Promise<PickedModel>, progress: PickProgress) => Promise<string | void>,
): HTMLElement {
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
  // Only the newest pick writes the message: an older one still finishing must not overwrite it.
  let picks = 0;
  input.addEventListener("change", async () => {
    const mine = ++picks;
    const files = Array.from(input.files ?? []);
    message.className = "live-note";
    message.dataset.state = "loading";
    message.textContent = "loading…";
    // onModel reports progress only once it has the files, so their name is known by then.
    let name = "";
    const picked = readPickedFiles(files).then((p) => ((name = p.name), p));
    try {
      const superseded = await onModel(picked, (line) => {
        if (mine === picks) message.textContent = `${name}: ${line}…`;
      });
      if (mine !== picks) return;
      message.textContent = superseded ?? `Loaded ${name}.`;
      message.dataset.state = superseded ? "superseded" : "ok";
    } catch (error) {
      if (mine !== picks) return;
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
