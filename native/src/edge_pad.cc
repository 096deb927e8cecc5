// Replicate ("edge") padding of NHWC tensors and its gradient, which sums each padded position's gradient
// into the border pixel it copies. Each output row is one task, summed in a fixed order, so results do not
// depend on the thread count.
//
// Parameters (Float64Array):
//   0 pass (0 forward, 1 backward)   1 batch   2 height   3 width   4 channels (of the unpadded tensor)
//   5 top   6 bottom   7 left   8 right   9, 10: byte offsets — forward: x, y; backward: dy, dx
#include <algorithm>
#include <cstring>

#include "kernels.h"

namespace iln {

bool edgePad(const Args& a) {
  const long long pass = a.integer(0), n = a.integer(1), h = a.integer(2), w = a.integer(3), c = a.integer(4);
  const long long top = a.integer(5), bottom = a.integer(6), left = a.integer(7), right = a.integer(8);
  if (pass != 0 && pass != 1) throw CallError("edgePad: pass must be 0 or 1");
  if (n < 1 || h < 1 || w < 1 || c < 1 || top < 0 || bottom < 0 || left < 0 || right < 0)
    throw CallError("edgePad: sizes must be positive and paddings non-negative");
  const long long hp = h + top + bottom, wp = w + left + right;
  const size_t small = n * h * w * c, big = n * hp * wp * c;
  const Heap& heap = a.heap;
  if (pass == 0) {
    const float* x = heap.f32(a.number(9), small, "edgePad x");
    float* y = heap.f32(a.number(10), big, "edgePad y");
#pragma omp parallel for schedule(static)
    for (long long row = 0; row < n * hp; ++row) {
      const long long b = row / hp, r = row % hp;
      const long long i = std::clamp(r - top, 0LL, h - 1);
      const float* src = x + ((b * h + i) * w) * c;
      float* dst = y + ((b * hp + r) * wp) * c;
      for (long long j = 0; j < left; ++j) std::memcpy(dst + j * c, src, c * sizeof(float));
      std::memcpy(dst + left * c, src, w * c * sizeof(float));
      for (long long j = 0; j < right; ++j) std::memcpy(dst + (left + w + j) * c, src + (w - 1) * c, c * sizeof(float));
    }
    return true;
  }
  const float* dy = heap.f32(a.number(9), big, "edgePad dy");
  float* dx = heap.f32(a.number(10), small, "edgePad dx");
#pragma omp parallel for schedule(static)
  for (long long row = 0; row < n * h; ++row) {
    const long long b = row / h, i = row % h;
    // Padded rows that copy row i: the top band into row 0, the bottom band into row h − 1.
    const long long first = i == 0 ? 0 : i + top, last = i == h - 1 ? hp - 1 : i + top;
    float* out = dx + ((b * h + i) * w) * c;
    std::fill(out, out + w * c, 0.f);
    for (long long r = first; r <= last; ++r) {
      const float* in = dy + ((b * hp + r) * wp) * c;
      for (long long q = 0; q < wp; ++q) {
        float* o = out + std::clamp(q - left, 0LL, w - 1) * c;
        const float* s = in + q * c;
        for (long long k = 0; k < c; ++k) o[k] += s[k];
      }
    }
  }
  return true;
}

}  // namespace iln
