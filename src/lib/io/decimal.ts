/**
 * Numbers typed by a person — command-line flags, link parameters — in plain decimal notation only: an optional
 * sign, digits with an optional fraction, an optional exponent. `Number()` also takes "0x10", "0b1", "0o7",
 * "Infinity" and surrounding blanks, which a user never means as a size or a learning rate.
 */

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The finite number `text` spells in decimal, or undefined when it is not one. */
export function parseDecimal(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const x = Number(text);
  return Number.isFinite(x) ? x : undefined;
}
