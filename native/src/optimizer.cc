// One optimizer update of one variable, element-wise, in float32 with the same operation order as the
// tfjs-op composite in src/lib/train/optimizers.ts (this file is compiled without FMA contraction), so
// both engines update weights identically:
//   Adam: m ← m·β1 + g·(1 − β1); v ← v·β2 + g²·(1 − β2); x ← x − (m / (√v / √c2 + ε))·(lr / c1)
//   SGD with momentum: u ← u·μ + g; x ← x − u·lr
//
// Parameters (Float64Array):
//   Adam (0 kind = 0):  1 count  2 β1  3 1 − β1  4 β2  5 1 − β2  6 √c2  7 ε  8 lr / c1
//                       9..15 byte offsets: x, m, v, g, x out, m out, v out
//   SGD (0 kind = 1):   1 count  2 μ  3 lr   4..8 byte offsets: x, u, g, x out, u out
#include <cmath>

#include "kernels.h"

namespace iln {

bool optimizerUpdate(const Args& a) {
  const long long kind = a.integer(0), n = a.integer(1);
  if (n < 1) throw CallError("optimizerUpdate: count must be positive");
  const Heap& h = a.heap;
  if (kind == 0) {
    const float b1 = a.number(2), ob1 = a.number(3), b2 = a.number(4), ob2 = a.number(5);
    const float sqrtC2 = a.number(6), eps = a.number(7), step = a.number(8);
    const float* x = h.f32(a.number(9), n, "adam x");
    const float* m = h.f32(a.number(10), n, "adam m");
    const float* v = h.f32(a.number(11), n, "adam v");
    const float* g = h.f32(a.number(12), n, "adam g");
    float* xo = h.f32(a.number(13), n, "adam x out");
    float* mo = h.f32(a.number(14), n, "adam m out");
    float* vo = h.f32(a.number(15), n, "adam v out");
    for (long long i = 0; i < n; ++i) {
      const float mi = m[i] * b1 + g[i] * ob1;
      const float gg = g[i] * g[i];
      const float vi = v[i] * b2 + gg * ob2;
      const float denominator = std::sqrt(vi) / sqrtC2 + eps;
      mo[i] = mi;
      vo[i] = vi;
      xo[i] = x[i] - (mi / denominator) * step;
    }
    return true;
  }
  if (kind == 1) {
    const float mu = a.number(2), lr = a.number(3);
    const float* x = h.f32(a.number(4), n, "sgd x");
    const float* u = h.f32(a.number(5), n, "sgd u");
    const float* g = h.f32(a.number(6), n, "sgd g");
    float* xo = h.f32(a.number(7), n, "sgd x out");
    float* uo = h.f32(a.number(8), n, "sgd u out");
    for (long long i = 0; i < n; ++i) {
      const float ui = u[i] * mu + g[i];
      uo[i] = ui;
      xo[i] = x[i] - ui * lr;
    }
    return true;
  }
  throw CallError("optimizerUpdate: kind must be 0 (Adam) or 1 (SGD)");
}

}  // namespace iln
