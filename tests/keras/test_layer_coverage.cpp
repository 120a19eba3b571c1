// test_layer_coverage.cpp - every registered layer class has a case in the layer harness
// (layer_harness.h), counted by the class of the layer each case made, as the gradient
// check counts the gradient rules that ran.
#include <unistd.h>

#include <set>
#include <sstream>

#include "files.h"
#include "helpers.h"
#include "keras/keras.h"
#include "keras/layers/all.h"

TEST_CASE("layer harness: every registered layer class is covered") {
  // The built-in classes, as the registry gets them.
  std::map<std::string, std::function<keras::LayerPtr(const keras::Config&)>> builtin;
  keras::layers::register_builtin_layers(builtin);
  REQUIRE(builtin.size() > 20);
  for (const auto& [name, factory] : builtin) CHECK(keras::layers::is_registered(name));

  // Runs this binary's "layer_harness" suite; each case logs the class it tested.
  th::TempDir dir;
  const std::string log = dir.file("classes.txt"), out = dir.file("output.txt");
  const std::string cmd = "KERAS_CPP_HARNESS_LOG='" + log + "' /proc/" + std::to_string(::getpid()) +
                          "/exe --test-suite=layer_harness >'" + out + "' 2>&1";
  const int rc = std::system(cmd.c_str());
  REQUIRE_MESSAGE(rc == 0, "the layer harness failed:\n" << th::read_bytes(out));
  std::set<std::string> covered;
  std::istringstream lines(th::read_bytes(log));
  for (std::string line; std::getline(lines, line);) covered.insert(line);
  for (const auto& [name, factory] : builtin) CHECK_MESSAGE(covered.count(name), "no layer harness case for " << name);
  MESSAGE("layer harness: " << covered.size() << " classes covered of " << builtin.size() << " registered");
}
