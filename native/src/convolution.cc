// 2-D convolutions (dense and depth-wise) in TensorFlow.js's layouts: activations NHWC, dense filters
// [kh, kw, in, out], depth-wise filters [kh, kw, channels, multiplier]. Forward (with optional bias and
// activation), backward-data and backward-weights.
//
// Parameters (Float64Array):
//   0 pass (0 forward, 1 backward-data, 2 backward-weights)   1 batch   2 in height   3 in width   4 in channels
//   5 out height   6 out width   7 out channels   8 filter height   9 filter width   10 stride h   11 stride w
//   12 dilation h   13 dilation w (TensorFlow's: 1 = none)   14 pad top   15 pad left   16 pad bottom   17 pad right
//   18 groups (1: dense; in channels: depth-wise, out = in × multiplier)   19 activation (see activation.h)
//   20 activation alpha   21 activation layout policy (0: NHWC in place, 1: oneDNN's blocked layout + reorders)
//   22, 23, 24, 25: byte offsets — forward: x, filter, y, bias (−1: none); backward-data: dy, filter, dx;
//   backward-weights: x, dy, dfilter
#include "kernels.h"

#include <sstream>

#include "activation.h"
#include "runtime.h"

namespace iln {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

namespace {

struct ConvShape {
  long long pass, n, ih, iw, ic, oh, ow, oc, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, groups, activation;
  double alpha;
  long long layout;
};

ConvShape readShape(const Args& a) {
  ConvShape s{};
  long long* fields[] = {&s.pass, &s.n,  &s.ih, &s.iw, &s.ic, &s.oh, &s.ow, &s.oc, &s.kh, &s.kw,
                         &s.sh,   &s.sw, &s.dh, &s.dw, &s.pt, &s.pl, &s.pb, &s.pr, &s.groups, &s.activation};
  for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); ++i) *fields[i] = a.integer(i);
  s.alpha = a.number(20);
  s.layout = a.integer(21);
  if (s.pass < 0 || s.pass > 2) throw CallError("convolution: pass must be 0, 1 or 2");
  for (long long v : {s.n, s.ih, s.iw, s.ic, s.oh, s.ow, s.oc, s.kh, s.kw, s.sh, s.sw, s.dh, s.dw, s.groups})
    if (v < 1) throw CallError("convolution: sizes, strides, dilations and groups must be positive");
  if (s.groups != 1 && (s.groups != s.ic || s.oc % s.ic != 0))
    throw CallError("convolution: groups must be 1 or the input channels (depth-wise)");
  if (s.layout != 0 && s.layout != 1) throw CallError("convolution: layout policy must be 0 or 1");
  return s;
}

std::string keyOf(const ConvShape& s, bool bias) {
  std::ostringstream k;
  k << "conv";
  for (long long v : {s.pass, s.n, s.ih, s.iw, s.ic, s.oh, s.ow, s.oc, s.kh, s.kw, s.sh, s.sw, s.dh, s.dw, s.pt, s.pl,
                      s.pb, s.pr, s.groups, s.activation, s.layout})
    k << ':' << v;
  k << ':' << s.alpha << ':' << bias;
  return k.str();
}

memory::desc weightsDesc(const ConvShape& s, tag t) {
  if (s.groups == 1) return memory::desc({s.oc, s.ic, s.kh, s.kw}, dt::f32, t == tag::any ? tag::any : tag::hwio);
  return memory::desc({s.groups, s.oc / s.groups, 1, s.kh, s.kw}, dt::f32, t == tag::any ? tag::any : tag::hwigo);
}

std::unique_ptr<Prepared> build(const ConvShape& s, bool bias) {
  auto& eng = cpuEngine();
  const tag act = s.layout == 0 ? tag::nhwc : tag::any;
  memory::desc src({s.n, s.ic, s.ih, s.iw}, dt::f32, act), dst({s.n, s.oc, s.oh, s.ow}, dt::f32, act);
  memory::desc srcUser({s.n, s.ic, s.ih, s.iw}, dt::f32, tag::nhwc), dstUser({s.n, s.oc, s.oh, s.ow}, dt::f32, tag::nhwc);
  memory::desc wei = weightsDesc(s, tag::any), weiUser = weightsDesc(s, tag::hwio);
  memory::desc biasDesc({s.oc}, dt::f32, tag::x);
  memory::dims strides{s.sh, s.sw}, dilates{s.dh - 1, s.dw - 1}, padL{s.pt, s.pl}, padR{s.pb, s.pr};
  const auto alg = dnnl::algorithm::convolution_direct;
  dnnl::convolution_forward::desc fwdDesc =
      bias ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, alg, src, wei, biasDesc, dst, strides,
                                             dilates, padL, padR)
           : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, alg, src, wei, dst, strides, dilates,
                                             padL, padR);
  dnnl::primitive_attr attr;
  if (s.pass == 0) attr.set_post_ops(activationPostOps(static_cast<int>(s.activation), s.alpha));
  dnnl::convolution_forward::primitive_desc fwd(fwdDesc, attr, eng);
  auto prepared = std::make_unique<Prepared>();
  if (s.pass == 0) {
    prepared->primitive = dnnl::convolution_forward(fwd);
    prepared->implementation = fwd.impl_info_str();
    prepared->operands = {Operand(DNNL_ARG_SRC, false, srcUser, fwd.src_desc()),
                          Operand(DNNL_ARG_WEIGHTS, false, weiUser, fwd.weights_desc()),
                          Operand(DNNL_ARG_DST, true, dstUser, fwd.dst_desc())};
    if (bias) prepared->operands.emplace_back(DNNL_ARG_BIAS, false, biasDesc, fwd.bias_desc());
  } else if (s.pass == 1) {
    dnnl::convolution_backward_data::desc d(alg, src, wei, dst, strides, dilates, padL, padR);
    dnnl::convolution_backward_data::primitive_desc pd(d, eng, fwd);
    prepared->primitive = dnnl::convolution_backward_data(pd);
    prepared->implementation = pd.impl_info_str();
    prepared->operands = {Operand(DNNL_ARG_DIFF_DST, false, dstUser, pd.diff_dst_desc()),
                          Operand(DNNL_ARG_WEIGHTS, false, weiUser, pd.weights_desc()),
                          Operand(DNNL_ARG_DIFF_SRC, true, srcUser, pd.diff_src_desc())};
  } else {
    dnnl::convolution_backward_weights::desc d(alg, src, wei, dst, strides, dilates, padL, padR);
    dnnl::convolution_backward_weights::primitive_desc pd(d, eng, fwd);
    prepared->primitive = dnnl::convolution_backward_weights(pd);
    prepared->implementation = pd.impl_info_str();
    prepared->operands = {Operand(DNNL_ARG_SRC, false, srcUser, pd.src_desc()),
                          Operand(DNNL_ARG_DIFF_DST, false, dstUser, pd.diff_dst_desc()),
                          Operand(DNNL_ARG_DIFF_WEIGHTS, true, weiUser, pd.diff_weights_desc())};
  }
  return prepared;
}

}  // namespace

bool convolution(const Args& a) {
  const ConvShape s = readShape(a);
  const size_t xCount = s.n * s.ih * s.iw * s.ic, yCount = s.n * s.oh * s.ow * s.oc;
  const size_t wCount = s.kh * s.kw * (s.groups == 1 ? s.ic * s.oc : s.oc);
  const bool bias = s.pass == 0 && a.number(25) >= 0;
  Prepared* p = cachedPrimitive(keyOf(s, bias), [&] { return build(s, bias); });
  if (p == nullptr) return false;
  const Heap& h = a.heap;
  if (s.pass == 0) {
    std::vector<void*> ptrs{h.f32(a.number(22), xCount, "conv x"), h.f32(a.number(23), wCount, "conv filter"),
                            h.f32(a.number(24), yCount, "conv y")};
    if (bias) ptrs.push_back(h.f32(a.number(25), s.oc, "conv bias"));
    p->run(ptrs);
  } else if (s.pass == 1) {
    p->run({h.f32(a.number(22), yCount, "conv dy"), h.f32(a.number(23), wCount, "conv filter"),
            h.f32(a.number(24), xCount, "conv dx")});
  } else {
    p->run({h.f32(a.number(22), xCount, "conv x"), h.f32(a.number(23), yCount, "conv dy"),
            h.f32(a.number(24), wCount, "conv dfilter")});
  }
  return true;
}

}  // namespace iln
