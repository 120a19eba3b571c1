// test_stacked_rnn_cells.cpp - StackedRNNCells: the layer harness, an RNN over stacked
// cells equal to the same layers one after the other, its flattened states, config and
// save/load, errors. (Keras 3's outputs and file layout: the stacked_rnn model of
// test_keras_files.cpp.)
#include <stdexcept>

#include "files.h"
#include "layer_harness.h"

using namespace th;
namespace layers = keras::layers;

namespace {
Tensor rand(const Shape& s, uint32_t seed) { return make(uniform(s.num_elements(), -1, 1, seed), s); }
}  // namespace

TEST_CASE("StackedRNNCells: the layer harness" * doctest::test_suite("layer_harness")) {
  run_layer_test({"stacked_rnn_cells",
                  [] { return layers::StackedRNNCells({layers::LSTMCell(3), layers::GRUCell(2)}); },
                  {Shape{4, 5}}, {}, {4, 2}, 6, 6});
}

TEST_CASE("StackedRNNCells: an RNN over stacked cells equals the recurrent layers one after the other") {
  auto lstm_cell = layers::LSTMCell(4);
  auto gru_cell = layers::GRUCell(3);
  auto stacked = layers::RNN(layers::StackedRNNCells({lstm_cell, gru_cell}),
                             {.return_sequences = true, .return_state = true});
  auto lstm = layers::LSTM(4, {.return_sequences = true});
  auto gru = layers::GRU(3, {.return_sequences = true, .return_state = true});
  Tensor x = rand({2, 6, 5}, 3);
  std::vector<Tensor> out = (*stacked)(std::vector<Tensor>{x});
  REQUIRE(out.size() == 4);  // the output, then LSTMCell's h and c, then GRUCell's h
  CHECK(out[0].shape() == Shape{2, 6, 3});
  CHECK(out[1].shape() == Shape{2, 4});
  CHECK(out[2].shape() == Shape{2, 4});
  CHECK(out[3].shape() == Shape{2, 3});
  (*lstm)(x);
  (*gru)(std::vector<Tensor>{ops::zeros({2, 6, 4})});
  lstm->set_weights(lstm_cell->get_weights());
  gru->set_weights(gru_cell->get_weights());
  std::vector<Tensor> seq = (*gru)(std::vector<Tensor>{(*lstm)(x)});
  check_values(out[0], values(seq[0]), 1e-6);
  check_values(out[3], values(seq[1]), 1e-6);
  CHECK(stacked->weights().size() == 6);
}

TEST_CASE("StackedRNNCells: config round trip, save and load, errors") {
  auto in = keras::Input({5, 3});
  auto cells = layers::StackedRNNCells({layers::SimpleRNNCell(4), layers::LSTMCell(2), layers::LSTMCell(3)});
  auto model = keras::Functional({in}, {layers::RNN(cells, {.go_backwards = true})(in)});
  keras::Config c = cells->get_config();
  REQUIRE(c.at("cells").as_list().size() == 3);
  CHECK(c.at("cells").as_list()[1].at("class_name").as_string() == "LSTMCell");
  Tensor x = rand({2, 5, 3}, 4);
  TempDir dir;
  for (const char* file : {"m.keras", "m.kcpp"}) {
    CAPTURE(file);
    model->save(dir.file(file));
    keras::ModelPtr loaded = keras::models::load_model(dir.file(file));
    check_values(loaded->predict({x}, {.verbose = 0})[0], values(model->predict({x}, {.verbose = 0})[0]), 1e-6);
  }
  CHECK_THROWS_WITH_AS(layers::StackedRNNCells({}), doctest::Contains("at least one cell"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(layers::StackedRNNCells({layers::LSTMCell(2), layers::RNNCellPtr()}), doctest::Contains("cell 1 is null"),
                       std::invalid_argument);
}
