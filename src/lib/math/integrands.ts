/**
 * Test integrands on [-1, 1] with their exact integrals, for measuring quadrature rules. Chosen to show
 * the textbook cases: smooth (the rules reach their design orders), a polynomial (Simpson and Gauss are
 * exact), a sharp but smooth bump (pre-asymptotic behaviour), an endpoint square-root singularity and an
 * interior kink (orders collapse). Every exact value is a closed form, not a number typed in.
 */

export interface Integrand {
  id: string;
  /** Plain-text name for menus. */
  label: string;
  /** LaTeX of f(x). */
  tex: string;
  f(x: number): number;
  /** ∫_{-1}^{1} f(x) dx in closed form. */
  exact: number;
  /** Is f infinitely differentiable on [-1, 1]? */
  smooth: boolean;
}

export const INTEGRANDS: readonly Integrand[] = Object.freeze([
  { id: "exp", label: "exponential eˣ", tex: "e^{x}", f: Math.exp, exact: Math.E - 1 / Math.E, smooth: true },
  {
    id: "wave",
    label: "wave cos 4x + x/2",
    tex: "\\cos 4x + \\tfrac{x}{2}",
    f: (x: number) => Math.cos(4 * x) + x / 2,
    exact: Math.sin(4) / 2,
    smooth: true,
  },
  {
    id: "runge",
    label: "Runge bump 1/(1+25x²)",
    tex: "\\frac{1}{1 + 25x^2}",
    f: (x: number) => 1 / (1 + 25 * x * x),
    exact: (2 / 5) * Math.atan(5),
    smooth: true,
  },
  {
    id: "cubic",
    label: "cubic x³ + x²/2 − x/5 + 1/10",
    tex: "x^3 + \\tfrac{1}{2}x^2 - \\tfrac{1}{5}x + \\tfrac{1}{10}",
    f: (x: number) => x ** 3 + (x * x) / 2 - x / 5 + 0.1,
    exact: 1 / 3 + 0.2,
    smooth: true,
  },
  {
    id: "semicircle",
    label: "semicircle √(1−x²)",
    tex: "\\sqrt{1 - x^2}",
    f: (x: number) => Math.sqrt(Math.max(0, 1 - x * x)),
    exact: Math.PI / 2,
    smooth: false,
  },
  {
    id: "kink",
    label: "kink |x − 0.3|",
    tex: "|x - 0.3|",
    f: (x: number) => Math.abs(x - 0.3),
    exact: (1.3 ** 2 + 0.7 ** 2) / 2,
    smooth: false,
  },
]);

export function integrandById(id: string): Integrand {
  const found = INTEGRANDS.find((integrand) => integrand.id === id);
  if (!found)
    throw new Error(`integrandById: unknown integrand "${id}" (expected ${INTEGRANDS.map((i) => i.id).join(", ")})`);
  return found;
}
