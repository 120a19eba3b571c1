// keras::data on string tensors: slices, batches and maps of string components (as
// tf.data with tf.string), element by element.
#include "helpers.h"
#include "keras/data/dataset.h"
#include "keras/keras.h"

using namespace th;
namespace data = keras::data;
using data::Dataset;
using data::Element;

TEST_CASE("Dataset: string components slice, batch and map") {
  Tensor text = core::constant({"alpha", "b", "", "delta"});
  Tensor label = core::constant({1, 2, 3, 4});
  std::vector<std::string> seen;
  std::vector<int> labels;
  for (const Element& e : Dataset::from_tensor_slices({text, label})) {
    CHECK(e[0].dtype() == DType::string);
    CHECK(e[0].shape() == Shape{});
    seen.push_back(e[0].item<std::string>());
    labels.push_back(e[1].item<int>());
  }
  CHECK(seen == std::vector<std::string>{"alpha", "b", "", "delta"});
  CHECK(labels == std::vector<int>{1, 2, 3, 4});

  std::vector<std::vector<std::string>> batches;
  for (const Element& e : Dataset::from_tensor_slices(text).batch(3)) batches.push_back(e[0].to_vector<std::string>());
  CHECK(batches == std::vector<std::vector<std::string>>{{"alpha", "b", ""}, {"delta"}});

  Tensor rows = core::constant(std::vector<std::string>{"a", "b", "c", "d"}, Shape{2, 2});
  std::vector<std::vector<std::string>> got;
  for (const Element& e : Dataset::from_tensor_slices(rows)) got.push_back(e[0].to_vector<std::string>());
  CHECK(got == std::vector<std::vector<std::string>>{{"a", "b"}, {"c", "d"}});

  Dataset lengths = Dataset::from_tensor_slices(text).map([](const Element& e) {
    return Element{keras::strings::length(e[0])};
  });
  std::vector<int> n;
  for (const Element& e : lengths) n.push_back(e[0].item<int>());
  CHECK(n == std::vector<int>{5, 1, 0, 5});
}
