/** Writing and reading weights files on disk; writes are atomic (temporary file + rename). */
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { decodeWeightsFile, encodeWeightsFile, type WeightsFile } from "../src/lib/io/weights-file.js";

/** Write `text` to `path` so that readers see either the old file or the complete new one. */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new Error(`cannot write ${path}: ${(e as Error).message}`);
  }
}

export function writeWeightsFile(path: string, file: WeightsFile): void {
  writeFileAtomic(path, encodeWeightsFile(file));
}

export function readWeightsFile(path: string): WeightsFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`cannot read weights file ${path}: ${(e as Error).message}`);
  }
  return decodeWeightsFile(text, path);
}
