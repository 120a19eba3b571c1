// arity.cpp - how many inputs each op takes, in one table; dispatch checks it before an
// op's own checks run (a graph file or a caller can never make an op read an input that
// is not there).
#include "core/dispatch.h"

namespace keras::core {

void define_arities() {
  auto set = [](OpId op, int lo, int hi) {
    op_def(op).min_inputs = lo;
    op_def(op).max_inputs = hi;
  };
  const int many = 1 << 30;
  for (int i = 0; i < kNumOps; ++i) set(OpId(i), 1, 1);  // most ops: one input
  for (OpId op : {OpId::Add, OpId::Sub, OpId::Mul, OpId::Div, OpId::FloorDiv, OpId::Mod, OpId::Pow, OpId::Maximum,
                  OpId::Minimum, OpId::SquaredDifference, OpId::Equal, OpId::NotEqual, OpId::Less, OpId::LessEqual,
                  OpId::Greater, OpId::GreaterEqual, OpId::LogicalAnd, OpId::LogicalOr, OpId::MatMul, OpId::Gather,
                  OpId::TakeAlongAxis, OpId::UnsortedSegmentSum, OpId::SparseSoftmaxCrossEntropy,
                  OpId::SoftmaxCrossEntropy, OpId::ApplySgd, OpId::ApplyRmsprop, OpId::ApplyAdagrad,
                  OpId::ApplyAdadelta, OpId::ApplyFtrl, OpId::ApplyLion})
    set(op, 2, 2);
  set(OpId::Where, 3, 3);
  set(OpId::ApplyAdam, 3, 3);
  set(OpId::ApplyAdamax, 3, 3);
  set(OpId::ApplyNadam, 4, 4);
  for (OpId op : {OpId::Range, OpId::Linspace, OpId::Eye, OpId::ReadVariable}) set(op, 0, 0);
  // Creation ops may take their shape from an input read only for its shape (the "like"
  // forms, whose traced graphs serve every batch size): fill(ref), random(counter, ref),
  // reshape(x, ref), broadcast_to(x, ref).
  set(OpId::Fill, 0, 1);
  for (OpId op : {OpId::RandomUniform, OpId::RandomNormal, OpId::TruncatedNormal}) set(op, 0, 2);  // counter, ref
  set(OpId::Reshape, 1, 2);
  set(OpId::BroadcastTo, 1, 2);
  set(OpId::Concat, 1, many);
  set(OpId::Cond, 1, many);
  set(OpId::While, 1, many);
  set(OpId::WhileGrad, 2, many);
  set(OpId::HostFunction, 0, many);
  set(OpId::Composite, 0, many);
  set(OpId::CheckElements, 1, 1);
  set(OpId::FusedElementwise, 1, many);
  for (OpId op : {OpId::Conv, OpId::ConvBackpropInput, OpId::ConvBackpropFilter, OpId::MaxPoolGrad}) set(op, 2, 2);
  set(OpId::FusedMatMul, 2, 3);
  set(OpId::FusedConv, 2, 3);
  set(OpId::CtcLoss, 4, 5);
  set(OpId::FusedBatchNorm, 3, 3);
  set(OpId::FusedBatchNormInference, 5, 5);
  set(OpId::FusedBatchNormGrad, 5, 7);  // (dy, x, scale, mean, inv_std [, dmean, dvariance])
  set(OpId::FusedLayerNorm, 3, 3);
  set(OpId::FusedLayerNormGrad, 5, 7);  // (dy, x, scale, mean, inv_std [, dmean, dinv_std])
  set(OpId::EinsumMatMul, 2, 2);
  set(OpId::FusedAttention, 3, 4);      // (q, k, v [, mask])
  set(OpId::FusedAttentionGrad, 7, 8);  // (dout, q, k, v, out, probs, dlse [, mask])
  set(OpId::FlashAttention, 3, 4);      // (q, k, v [, mask])
  set(OpId::FlashAttentionGrad, 7, 8);  // (dout, q, k, v, out, stats, dlse [, mask])
  set(OpId::Solve, 2, 2);
  set(OpId::SolveTriangular, 2, 2);
  for (OpId op : {OpId::Complex, OpId::Fft}) set(op, 2, 2);  // (real, imag)
  for (int i = int(OpId::Arctan2); i <= int(OpId::Lcm); ++i) set(OpId(i), 2, 2);  // ops_math.h
  for (OpId op : {OpId::UnsortedSegmentMax, OpId::UnsortedSegmentMin, OpId::UnsortedSegmentProd}) set(op, 2, 2);
  set(OpId::SearchSorted, 2, 2);
  set(OpId::LstmSequence, 6, 7);  // core/ops/rnn.cpp (the last: an optional mask)
  set(OpId::LstmSequenceGrad, 11, 12);
  set(OpId::GruSequence, 5, 6);
  set(OpId::GruSequenceGrad, 9, 10);
  set(OpId::OptimizationBarrier, 2, 2);  // core/remat.cpp: (x, dep)
}

}  // namespace keras::core
