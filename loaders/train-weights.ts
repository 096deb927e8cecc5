/** Writing and reading weights files on disk; writes are atomic (temporary file + rename). */
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
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

/**
 * Throw unless `path` can be written: its folder exists and takes files, and it is not itself a folder. Checked
 * before a long job starts, so a typo in an output path costs nothing.
 */
export function checkWritable(path: string, what = "output"): void {
  if (path.trim() === "") throw new Error(`${what}: the path is empty`);
  const folder = dirname(path);
  if (!existsSync(folder) || !statSync(folder).isDirectory())
    throw new Error(`${what} ${path}: the folder ${folder} does not exist`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new Error(`${what} ${path} is a folder, not a file`);
  const probe = join(folder, `.${basename(path)}.${process.pid}.probe`);
  try {
    writeFileSync(probe, "");
  } catch (e) {
    throw new Error(`${what} ${path}: cannot write in ${folder}: ${(e as Error).message}`);
  } finally {
    rmSync(probe, { force: true });
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
