// The gradient-check cases of the fused recurrent sequence ops (core/rnn.h): every output
// folded into one tensor (y, and the final states added to y's last timestep), so the
// gradients flowing into y, h and c are all checked against central differences, with
// training on (the forward's reserve) and off (the rule runs the forward again), without
// and with a mask. First
// order only: their backward ops' rules raise (test_gradients.cpp checks that).
#include "core/rnn.h"
#include "gradient_cases.h"

namespace gradcheck {
namespace ops = keras::core::ops;

namespace {
// y + 0.7 h + 0.4 c (h and c broadcast over the timesteps).
Tensor folded(const Tensor& y, const Tensor& h, const Tensor& c) {
  Tensor s = ops::multiply(h, ops::scalar_like(h, 0.7));
  if (c.defined()) s = ops::add(s, ops::multiply(c, ops::scalar_like(c, 0.4)));
  return ops::add(y, ops::expand_dims(s, 1));
}
}  // namespace

std::vector<Case> rnn_cases() {
  std::vector<Case> cs;
  const int64_t batch = 2, time = 3, in = 2, units = 2;
  // Row 0 masked at its first and last steps, row 1 in the middle (a masked step keeps the
  // states and repeats the previous output).
  const Tensor mask = keras::core::constant({{false, true, false}, {true, false, true}});
  for (const Tensor& m : {Tensor(), mask}) {
    for (bool training : {true, false}) {
      cs.push_back({"lstm_sequence",
                    [training, m](const std::vector<Tensor>& v) {
                      auto r = ops::lstm_sequence(v[0], v[1], v[2], v[3], v[4], v[5], training, m);
                      return folded(r.y, r.h, r.c);
                    },
                    {Input{Shape{batch, time, in}}, Input{Shape{batch, units}}, Input{Shape{batch, units}},
                     Input{Shape{in, 4 * units}, -1, 1}, Input{Shape{units, 4 * units}, -1, 1},
                     Input{Shape{4 * units}, -1, 1}}});
      cs.push_back({"gru_sequence",
                    [training, m](const std::vector<Tensor>& v) {
                      auto r = ops::gru_sequence(v[0], v[1], v[2], v[3], v[4], training, m);
                      return folded(r.y, r.h, Tensor());
                    },
                    {Input{Shape{batch, time, in}}, Input{Shape{batch, units}}, Input{Shape{in, 3 * units}, -1, 1},
                     Input{Shape{units, 3 * units}, -1, 1}, Input{Shape{2, 3 * units}, -1, 1}}});
    }
  }
  return cs;
}

}  // namespace gradcheck
