// test_ragged_layers.cpp - the Keras side of RaggedTensor: Embedding on ragged ids (as
// Keras 3 on the TensorFlow backend) and data::ragged_batch (as tf.data's ragged_batch),
// on the fixture of tests/data/ragged/make_fixtures.py.
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

TEST_CASE("data::ragged_batch batches sequences of varying length as tf.data") {
  std::vector<keras::Tensor> seqs;
  for (int i = 0; i < 5; ++i) seqs.push_back(tf_fixture("rb_seq" + std::to_string(i)));
  auto ds = keras::data::Dataset::from_generator([seqs] {
    auto i = std::make_shared<size_t>(0);
    return [seqs, i]() -> std::optional<keras::data::Element> {
      if (*i == seqs.size()) return std::nullopt;
      keras::data::Element e{seqs[*i], keras::constant(static_cast<int>(*i))};
      ++*i;
      return e;
    };
  });
  auto it = keras::data::ragged_batch(ds, 2).make_iterator();
  for (int b = 0; b < 3; ++b) {
    CAPTURE(b);
    auto batch = it.next();
    REQUIRE(batch.has_value());
    REQUIRE(batch->size() == 2);
    std::string p = "rb_batch" + std::to_string(b);
    const keras::RaggedTensor& x = (*batch)[0];
    CHECK(x.row_splits().to_vector<int64_t>() == tf_fixture(p + "_x_splits0").to_vector<int64_t>());
    REQUIRE(x.flat_values().shape() == tf_fixture(p + "_x_values").shape());
    CHECK(x.flat_values().to_vector<float>() == tf_fixture(p + "_x_values").to_vector<float>());
    CHECK_FALSE((*batch)[1].is_ragged());
    CHECK((*batch)[1].to_tensor().to_vector<int32_t>() == tf_fixture(p + "_y").to_vector<int32_t>());
  }
  CHECK_FALSE(it.next().has_value());
  // drop_remainder drops the last, smaller batch.
  auto dropped = keras::data::ragged_batch(ds, 2, {.drop_remainder = true}).make_iterator();
  CHECK(dropped.next().has_value());
  CHECK(dropped.next().has_value());
  CHECK_FALSE(dropped.next().has_value());
  CHECK_THROWS_AS(keras::data::ragged_batch(ds, 0), std::invalid_argument);
  // Inner axes must agree within a batch.
  auto mixed = keras::data::Dataset::from_generator([] {
    auto i = std::make_shared<int>(0);
    return [i]() -> std::optional<keras::data::Element> {
      if (*i == 2) return std::nullopt;
      return keras::data::Element(ops::ones({2, ++*i}));
    };
  });
  CHECK_THROWS_AS(keras::data::ragged_batch(mixed, 2).make_iterator().next(), std::invalid_argument);
}
