// 2-D pooling on NHWC tensors: average pooling forward and backward (oneDNN), and max pooling's gradient (a
// loop: oneDNN's wants the workspace of its own training-mode forward, which TensorFlow.js does not keep, and
// that forward ran ~9× slower than the wasm backend's MaxPool at the SIB families' shapes). Average pooling
// divides by the window positions inside the input (TensorFlow's "same" padding excludes the padded ones);
// its gradient divides by the whole window, as TensorFlow.js's AvgPoolGrad does (they differ only in padded
// windows). Max pooling's gradient goes to the first maximum of each window in row-major order, as
// TensorFlow.js's cpu backend sends it.
//
// Parameters (Float64Array):
//   0 pass (0 forward, 1 backward)   1 kind (0 max, 1 average)   2 batch   3 in height   4 in width   5 channels
//   6 out height   7 out width   8 window height   9 window width   10 stride h   11 stride w   12 pad top
//   13 pad left   14 pad bottom   15 pad right   16 dilation h   17 dilation w (TensorFlow's: 1 = none)
//   18, 19, 20: byte offsets — forward: x, y; backward: dy, dx, and for max pooling x
#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>
#include <sstream>

#include "kernels.h"
#include "runtime.h"

namespace iln {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

namespace {

struct PoolShape {
  long long pass, kind, n, ih, iw, c, oh, ow, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw;
};

PoolShape readShape(const Args& a) {
  PoolShape s{};
  long long* fields[] = {&s.pass, &s.kind, &s.n,  &s.ih, &s.iw, &s.c,  &s.oh, &s.ow, &s.kh,
                         &s.kw,   &s.sh,   &s.sw, &s.pt, &s.pl, &s.pb, &s.pr, &s.dh, &s.dw};
  for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); ++i) *fields[i] = a.integer(i);
  if (s.pass < 0 || s.pass > 1 || s.kind < 0 || s.kind > 1) throw CallError("pooling: bad pass or kind");
  for (long long v : {s.n, s.ih, s.iw, s.c, s.oh, s.ow, s.kh, s.kw, s.sh, s.sw, s.dh, s.dw})
    if (v < 1) throw CallError("pooling: sizes, strides and dilations must be positive");
  return s;
}

std::unique_ptr<Prepared> build(const PoolShape& s) {
  auto& eng = cpuEngine();
  memory::desc src({s.n, s.c, s.ih, s.iw}, dt::f32, tag::nhwc), dst({s.n, s.c, s.oh, s.ow}, dt::f32, tag::nhwc);
  memory::dims strides{s.sh, s.sw}, kernel{s.kh, s.kw}, dilation{s.dh - 1, s.dw - 1}, padL{s.pt, s.pl},
      padR{s.pb, s.pr};
  const auto alg = s.pass == 0 ? dnnl::algorithm::pooling_avg_exclude_padding
                               : dnnl::algorithm::pooling_avg_include_padding;
  dnnl::pooling_v2_forward::primitive_desc fwd(
      dnnl::pooling_v2_forward::desc(dnnl::prop_kind::forward_training, alg, src, dst, strides, kernel, dilation,
                                     padL, padR),
      eng);
  auto prepared = std::make_unique<Prepared>();
  if (s.pass == 0) {
    prepared->primitive = dnnl::pooling_v2_forward(fwd);
    prepared->implementation = fwd.impl_info_str();
    prepared->operands = {Operand(DNNL_ARG_SRC, false, src, fwd.src_desc()),
                          Operand(DNNL_ARG_DST, true, dst, fwd.dst_desc())};
    return prepared;
  }
  dnnl::pooling_v2_backward::desc bd(alg, src, dst, strides, kernel, dilation, padL, padR);
  dnnl::pooling_v2_backward::primitive_desc bwd(bd, eng, fwd);
  prepared->primitive = dnnl::pooling_v2_backward(bwd);
  prepared->implementation = bwd.impl_info_str();
  prepared->operands = {Operand(DNNL_ARG_DIFF_DST, false, dst, bwd.diff_dst_desc()),
                        Operand(DNNL_ARG_DIFF_SRC, true, src, bwd.diff_src_desc())};
  return prepared;
}

// dx of max pooling: each window's dy goes to its first maximum. One image per task (windows may overlap, so
// rows of one image write to shared pixels), so the result does not depend on the thread count.
// AVX2 where the CPU has it (a masked select per channel; ~2.4× the SSE2 build), chosen at load time.
__attribute__((target_clones("avx2", "default"))) void maxPoolGrad(const PoolShape& shape, const float* x,
                                                                     const float* dy, float* dx) {
  // Locals, not the struct's fields: nothing the loops store can then alias a size.
  const long long n = shape.n, ih = shape.ih, iw = shape.iw, c = shape.c, oh = shape.oh, ow = shape.ow;
  const long long kh = shape.kh, kw = shape.kw, sh = shape.sh, sw = shape.sw, pt = shape.pt, pl = shape.pl;
  const long long dh = shape.dh, dw = shape.dw;
#pragma omp parallel for schedule(static)
  for (long long b = 0; b < n; ++b) {
    const float* xb = x + b * ih * iw * c;
    float* dxb = dx + b * ih * iw * c;
    std::fill(dxb, dxb + ih * iw * c, 0.f);
    std::vector<float> bestStore(c);
    std::vector<int32_t> whereStore(c);  // pixel index (iy · width + ix) of each channel's maximum
    float* __restrict best = bestStore.data();
    int32_t* __restrict where = whereStore.data();
    for (long long oy = 0; oy < oh; ++oy) {
      for (long long ox = 0; ox < ow; ++ox) {
        bool first = true;
        for (long long ky = 0; ky < kh; ++ky) {
          const long long iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= ih) continue;
          for (long long kx = 0; kx < kw; ++kx) {
            const long long ix = ox * sw - pl + kx * dw;
            if (ix < 0 || ix >= iw) continue;
            const int32_t pixel = static_cast<int32_t>(iy * iw + ix);
            const float* __restrict px = xb + pixel * c;
            if (first) {
              for (long long k = 0; k < c; ++k) {
                best[k] = px[k];
                where[k] = pixel;
              }
              first = false;
              continue;
            }
            for (long long k = 0; k < c; ++k) {
              const bool greater = px[k] > best[k];  // strictly: ties keep the first
              best[k] = greater ? px[k] : best[k];
              where[k] = greater ? pixel : where[k];
            }
          }
        }
        if (first) continue;  // a window wholly in the padding reads nothing
        const float* g = dy + ((b * oh + oy) * ow + ox) * c;
        for (long long k = 0; k < c; ++k) dxb[where[k] * c + k] += g[k];
      }
    }
  }
}

std::string keyOf(const PoolShape& s) {
  std::ostringstream k;
  k << "pool";
  for (long long v : {s.pass, s.kind, s.n, s.ih, s.iw, s.c, s.oh, s.ow, s.kh, s.kw, s.sh, s.sw, s.pt, s.pl, s.pb, s.pr,
                      s.dh, s.dw})
    k << ':' << v;
  return k.str();
}

}  // namespace

bool pooling(const Args& a) {
  const PoolShape s = readShape(a);
  const size_t xCount = s.n * s.ih * s.iw * s.c, yCount = s.n * s.oh * s.ow * s.c;
  const Heap& h = a.heap;
  if (s.kind == 0) {
    if (s.pass == 0) return false;  // the wasm backend's MaxPool (XNNPACK) is faster
    maxPoolGrad(s, h.f32(a.number(20), xCount, "pool x"), h.f32(a.number(18), yCount, "pool dy"),
                h.f32(a.number(19), xCount, "pool dx"));
    return true;
  }
  Prepared* p = cachedPrimitive(keyOf(s), [&] { return build(s); });
  if (p == nullptr) return false;
  if (s.pass == 0) {
    p->run({h.f32(a.number(18), xCount, "pool x"), h.f32(a.number(19), yCount, "pool y")});
  } else {
    p->run({h.f32(a.number(18), yCount, "pool dy"), h.f32(a.number(19), xCount, "pool dx")});
  }
  return true;
}

}  // namespace iln
