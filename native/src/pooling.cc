// 2-D max and average pooling on NHWC tensors, forward and backward. Average pooling divides by the number
// of window positions inside the input (TensorFlow's "same" padding excludes the padded ones); its gradient
// divides by the whole window, as TensorFlow.js's AvgPoolGrad does (the two differ only in padded windows).
//
// Parameters (Float64Array):
//   0 pass (0 forward, 1 backward)   1 kind (0 max, 1 average)   2 batch   3 in height   4 in width   5 channels
//   6 out height   7 out width   8 window height   9 window width   10 stride h   11 stride w   12 pad top
//   13 pad left   14 pad bottom   15 pad right   16 dilation h   17 dilation w (TensorFlow's: 1 = none)
//   18, 19, 20: byte offsets — forward: x, y; backward: dy, dx, and for max pooling x (its argmax positions
//   are recomputed: TensorFlow.js's MaxPoolGrad gets the input, not oneDNN's workspace)
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

struct PoolPrepared : Prepared {
  // Max pooling backward: the forward pass that yields the workspace, and its scratch output.
  std::unique_ptr<Prepared> forward;
  dnnl::memory workspace, scratchDst;
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
  const auto alg = s.kind == 0 ? dnnl::algorithm::pooling_max : dnnl::algorithm::pooling_avg_exclude_padding;
  memory::dims strides{s.sh, s.sw}, kernel{s.kh, s.kw}, dilation{s.dh - 1, s.dw - 1}, padL{s.pt, s.pl},
      padR{s.pb, s.pr};
  dnnl::pooling_v2_forward::desc fd(dnnl::prop_kind::forward_training, alg, src, dst, strides, kernel, dilation,
                                    padL, padR);
  dnnl::pooling_v2_forward::primitive_desc fwd(fd, eng);
  auto prepared = std::make_unique<PoolPrepared>();
  if (s.pass == 0) {
    prepared->primitive = dnnl::pooling_v2_forward(fwd);
    prepared->implementation = fwd.impl_info_str();
    prepared->operands = {Operand(DNNL_ARG_SRC, false, src, fwd.src_desc()),
                          Operand(DNNL_ARG_DST, true, dst, fwd.dst_desc())};
    if (s.kind == 0) {
      // Training-mode max pooling wants a workspace even when nobody reads it.
      prepared->workspace = dnnl::memory(fwd.workspace_desc(), eng);
      prepared->operands.push_back(Operand(DNNL_ARG_WORKSPACE, true, fwd.workspace_desc(), fwd.workspace_desc()));
    }
    return prepared;
  }
  const auto bwdAlg = s.kind == 0 ? alg : dnnl::algorithm::pooling_avg_include_padding;
  dnnl::pooling_v2_forward::primitive_desc hint(
      dnnl::pooling_v2_forward::desc(dnnl::prop_kind::forward_training, bwdAlg, src, dst, strides, kernel, dilation,
                                     padL, padR),
      eng);
  dnnl::pooling_v2_backward::desc bd(bwdAlg, src, dst, strides, kernel, dilation, padL, padR);
  dnnl::pooling_v2_backward::primitive_desc bwd(bd, eng, hint);
  prepared->primitive = dnnl::pooling_v2_backward(bwd);
  prepared->implementation = bwd.impl_info_str();
  prepared->operands = {Operand(DNNL_ARG_DIFF_DST, false, dst, bwd.diff_dst_desc()),
                        Operand(DNNL_ARG_DIFF_SRC, true, src, bwd.diff_src_desc())};
  if (s.kind == 0) {
    prepared->workspace = dnnl::memory(fwd.workspace_desc(), eng);
    prepared->scratchDst = dnnl::memory(fwd.dst_desc(), eng);
    prepared->operands.push_back(Operand(DNNL_ARG_WORKSPACE, false, fwd.workspace_desc(), fwd.workspace_desc()));
    auto forward = std::make_unique<Prepared>();
    forward->primitive = dnnl::pooling_v2_forward(fwd);
    forward->operands = {Operand(DNNL_ARG_SRC, false, src, fwd.src_desc()),
                         Operand(DNNL_ARG_DST, true, fwd.dst_desc(), fwd.dst_desc()),
                         Operand(DNNL_ARG_WORKSPACE, true, fwd.workspace_desc(), fwd.workspace_desc())};
    prepared->forward = std::move(forward);
  }
  return prepared;
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
  Prepared* p = cachedPrimitive(keyOf(s), [&] { return build(s); });
  if (p == nullptr) return false;
  auto* pool = static_cast<PoolPrepared*>(p);
  const size_t xCount = s.n * s.ih * s.iw * s.c, yCount = s.n * s.oh * s.ow * s.c;
  const Heap& h = a.heap;
  if (s.pass == 0) {
    std::vector<void*> ptrs{h.f32(a.number(18), xCount, "pool x"), h.f32(a.number(19), yCount, "pool y")};
    if (s.kind == 0) ptrs.push_back(pool->workspace.get_data_handle());
    p->run(ptrs);
    return true;
  }
  float* dy = h.f32(a.number(18), yCount, "pool dy");
  float* dx = h.f32(a.number(19), xCount, "pool dx");
  if (s.kind == 0) {
    float* x = h.f32(a.number(20), xCount, "pool x");
    pool->forward->run({x, pool->scratchDst.get_data_handle(), pool->workspace.get_data_handle()});
    p->run({dy, dx, pool->workspace.get_data_handle()});
  } else {
    p->run({dy, dx});
  }
  return true;
}

}  // namespace iln
