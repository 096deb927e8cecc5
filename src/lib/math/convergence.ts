/**
 * Measured convergence orders. A rule of order p has error ≈ C·h^p for spacing h, so log(error) is a
 * straight line in log(h) with slope p; a least-squares fit of that line over a refinement study is the
 * observed order. Errors at rounding level carry no information about the rule and are left out of the fit.
 */

export interface LogLogFit {
  /** Least-squares slope of log(y) against log(x). */
  slope: number;
  /** Intercept of that line (natural logs): y ≈ exp(intercept) · x^slope. */
  intercept: number;
  /** Points that entered the fit. */
  used: number;
}

/** Least-squares straight line through (log x, log y). Needs at least two points with x, y > 0. */
export function logLogFit(xs: ArrayLike<number>, ys: ArrayLike<number>): LogLogFit {
  if (xs.length !== ys.length) throw new Error(`logLogFit: ${xs.length} x values but ${ys.length} y values`);
  const lx: number[] = [];
  const ly: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    if (!(xs[i] > 0 && Number.isFinite(xs[i])) || !(ys[i] > 0 && Number.isFinite(ys[i]))) {
      throw new Error(`logLogFit: point ${i} is (${xs[i]}, ${ys[i]}); both coordinates must be positive and finite`);
    }
    lx.push(Math.log(xs[i]));
    ly.push(Math.log(ys[i]));
  }
  const n = lx.length;
  if (n < 2) throw new Error(`logLogFit: needs at least 2 points, got ${n}`);
  const mx = lx.reduce((a, b) => a + b, 0) / n;
  const my = ly.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (lx[i] - mx) ** 2;
    sxy += (lx[i] - mx) * (ly[i] - my);
  }
  if (sxx === 0) throw new Error("logLogFit: all x values are equal; the slope is undefined");
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx, used: n };
}

export interface ConvergenceOrder {
  /** Fitted order p (error ∝ h^p), or null when fewer than two errors lie above the floor. */
  order: number | null;
  /** How many (h, error) pairs entered the fit. */
  used: number;
  /** The fit itself (null with the order). */
  fit: LogLogFit | null;
}

/**
 * Observed order of a refinement study: fit log(error) against log(spacing), keeping only errors above
 * `floor` (default 1e-13, a few hundred ulps of an O(1) integral), where rounding, not the rule, decides.
 */
export function convergenceOrder(
  spacings: ArrayLike<number>,
  errors: ArrayLike<number>,
  options: { floor?: number } = {},
): ConvergenceOrder {
  const floor = options.floor ?? 1e-13;
  if (spacings.length !== errors.length)
    throw new Error(`convergenceOrder: ${spacings.length} spacings but ${errors.length} errors`);
  const hs: number[] = [];
  const es: number[] = [];
  for (let i = 0; i < errors.length; i++) {
    if (!Number.isFinite(errors[i])) throw new Error(`convergenceOrder: error ${i} is ${errors[i]}`);
    if (Math.abs(errors[i]) > floor) {
      hs.push(spacings[i]);
      es.push(Math.abs(errors[i]));
    }
  }
  if (hs.length < 2) return { order: null, used: hs.length, fit: null };
  const fit = logLogFit(hs, es);
  return { order: fit.slope, used: fit.used, fit };
}
