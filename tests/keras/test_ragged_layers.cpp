// test_ragged_layers.cpp - layers that take a RaggedTensor, as Keras 3 on the TensorFlow
// backend (fixture: tests/data/ragged/make_fixtures.py).
#include <keras/keras.h>

#include "helpers.h"
#include "tf_fixture.h"

using namespace th;

TEST_CASE("Embedding on ragged ids gives Keras's ragged output") {
  keras::RaggedTensor ids =
      keras::RaggedTensor::from_row_splits(tf_fixture("emb_ids_values"), tf_fixture("emb_ids_splits0"));
  auto emb = keras::layers::Embedding(6, 3);
  keras::RaggedTensor out = (*emb)(ids);
  CHECK(out.shape() == std::vector<int64_t>{4, -1, 3});
  emb->set_weights({tf_fixture("emb_w")});
  out = (*emb)(ids);
  CHECK(out.row_splits().to_vector<int64_t>() == tf_fixture("emb_out_splits0").to_vector<int64_t>());
  REQUIRE(out.flat_values().shape() == tf_fixture("emb_out_values").shape());
  check_values(out.flat_values(), values(tf_fixture("emb_out_values")), 1e-7);
  CHECK_FALSE(out.flat_values().keras_mask().defined());
  // Differentiable with respect to the embeddings.
  keras::GradientTape tape;
  keras::Tensor loss = ops::sum(keras::ragged::reduce_sum((*emb)(ids), 1).to_tensor());
  auto g = tape.gradient(loss, std::vector<keras::Variable>{emb->embeddings});
  REQUIRE(g.size() == 1);
  // Row r of the gradient counts how often id r occurs, in each column.
  check_values(ops::sum(g[0], {1}), std::vector<double>{3, 3, 3, 0, 6, 3});
  CHECK_THROWS_AS((*emb)(keras::RaggedTensor()), std::invalid_argument);
}
