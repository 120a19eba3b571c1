// test_progbar.cpp - keras::utils::Progbar: Keras 3's averages (the numbers below are what
// keras.utils.Progbar holds for the same updates), lines written off a terminal, verbose 2,
// an unknown target, errors.
#include <cstdio>
#include <stdexcept>
#include <string>

#include "helpers.h"
#include "keras/utils/progbar.h"

namespace {
using keras::utils::Progbar;
using keras::utils::ProgbarOptions;

// What a bar wrote to a temporary file.
struct Capture {
  std::FILE* f = std::tmpfile();
  ~Capture() { std::fclose(f); }
  std::string text() const {
    std::fflush(f);
    std::rewind(f);
    std::string s;
    char buf[512];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
    return s;
  }
};
bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("Progbar: averages weighted by the steps since the last update, as Keras's") {
  Progbar p(10, {.verbose = 0});
  p.update(1, {{"loss", 1.0}, {"acc", 0.5}});
  p.update(3, {{"loss", 4.0}, {"acc", 0.7}});
  CHECK(p.value("loss") == doctest::Approx(3.0));  // (1 * 1 + 4 * 2) / 3
  CHECK(p.value("acc") == doctest::Approx(1.9 / 3));
  p.add(2, {{"loss", 2.0}});
  CHECK(p.seen() == 5);
  CHECK(p.value("loss") == doctest::Approx(13.0 / 5));
  p.update(10, {{"loss", 9.0}});  // the final update shows the final value
  CHECK(p.value("loss") == doctest::Approx(9.0));
  CHECK(p.names() == std::vector<std::string>{"loss", "acc"});
  CHECK_THROWS_AS(p.value("auc"), std::out_of_range);
  // stateful_metrics: those as given, the others averaged; stateless_metrics: the reverse.
  Progbar q(std::nullopt, {.verbose = 0, .stateful_metrics = std::vector<std::string>{"acc"}});
  Progbar r(4, {.verbose = 0, .stateless_metrics = std::vector<std::string>{"loss"}});
  for (Progbar* b : {&q, &r}) {
    b->update(2, {{"loss", 1.0}, {"acc", 0.5}});
    b->update(3, {{"loss", 2.0}, {"acc", 0.9}});
    CHECK(b->value("loss") == doctest::Approx(4.0 / 3));
    CHECK(b->value("acc") == doctest::Approx(0.9));
  }
}

TEST_CASE("Progbar: the lines it writes off a terminal (the final one), verbose 2, unknown targets") {
  {
    Capture c;
    Progbar p(10, {.out = c.f});
    for (int i = 1; i < 10; ++i) p.update(i, {{"loss", 0.5}});
    CHECK(c.text().empty());  // off a terminal, only the final line
    p.update(10, {{"loss", 0.25}});
    const std::string t = c.text();
    std::string bar;
    for (int i = 0; i < 20; ++i) bar += "━";
    CHECK(t.rfind("10/10 " + bar + " 0s ", 0) == 0);
    CHECK(contains(t, "s/step - loss: 0.2500\n"));
  }
  {
    Capture c;
    Progbar p(std::nullopt, {.unit_name = "sample", .out = c.f});
    p.add(3, {{"mae", 0.0001}});
    p.update(5, {}, true);
    const std::string t = c.text();
    CHECK(t.rfind("      5/Unknown 0s ", 0) == 0);
    CHECK(contains(t, "s/sample - mae: 1.0000e-04\n"));
  }
  {
    Capture c;
    Progbar p(4, {.verbose = 2, .out = c.f});
    p.update(2, {{"loss", 2.0}});
    CHECK(c.text().empty());
    p.update(4, {{"loss", 1.5}});
    const std::string t = c.text();
    CHECK(t.rfind("4/4 - 0s - ", 0) == 0);
    CHECK(contains(t, "s/step - loss: 1.5000\n"));
  }
  {
    Capture c;
    Progbar p(3, {.verbose = 0, .out = c.f});
    p.update(3, {{"loss", 1.0}});
    CHECK(c.text().empty());
  }
}

TEST_CASE("Progbar: errors name what was expected and received") {
  CHECK_THROWS_WITH_AS(Progbar(3, {.stateful_metrics = std::vector<std::string>{"a"},
                                   .stateless_metrics = std::vector<std::string>{"b"}}),
                       doctest::Contains("only one of `stateful_metrics` or `stateless_metrics`"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(Progbar(-1), doctest::Contains("expected a target >= 0 (or none), but received -1"),
                       std::invalid_argument);
  CHECK_THROWS_AS(Progbar(3, {.verbose = 3}), std::invalid_argument);
  CHECK_THROWS_AS(Progbar(3, {.width = -2}), std::invalid_argument);
  Progbar p(3, {.verbose = 0});
  CHECK_THROWS_AS(p.set_target(-4), std::invalid_argument);
  p.set_target(std::nullopt);
  CHECK(!p.target());
}

#include "keras/keras.h"

TEST_CASE("Interactive logging: disabled, the bars, the epoch lines, summary and callbacks go to the log handler") {
  namespace config = keras::config;
  CHECK(config::is_interactive_logging_enabled());
  std::vector<std::string> got;
  config::set_log_handler([&got](const std::string& m) { got.push_back(m); });
  config::disable_interactive_logging();
  CHECK_FALSE(config::is_interactive_logging_enabled());
  th::ops::set_random_seed(3);
  auto model = keras::Sequential({keras::layers::Dense(1, {.input_shape = {2}})});
  model->compile({.optimizer = "sgd", .loss = "mse"});
  const th::Tensor x = th::ops::ones({8, 2}), y = th::ops::zeros({8, 1});
  Capture out;  // a bar given a FILE writes nothing there either
  keras::utils::Progbar bar(2, {.out = out.f});
  bar.update(1);
  bar.update(2);
  CHECK(out.text().empty());
  REQUIRE(got.size() == 1);
  CHECK(got[0].rfind("2/2 ━━━━━━━━━━━━━━━━━━━━ ", 0) == 0);
  got.clear();
  model->fit(x, y, {.batch_size = 4, .epochs = 2,
                    .callbacks = {std::make_shared<keras::callbacks::EarlyStopping>(
                        keras::callbacks::EarlyStoppingOptions{.monitor = "loss", .patience = 0,
                                                               .restore_best_weights = true, .verbose = 1})}});
  REQUIRE(got.size() >= 4);
  CHECK(got[0] == "Epoch 1/2");
  CHECK(got[1].rfind("2/2 ━━━━━━━━━━━━━━━━━━━━ ", 0) == 0);  // one line per epoch, no redraws
  CHECK(contains(got[1], " - loss: "));
  CHECK(got[2] == "Epoch 2/2");
  CHECK(got.back().rfind("Restoring model weights from the end of the best epoch: ", 0) == 0);  // EarlyStopping's
  for (const std::string& m : got) CHECK(m.find('\r') == std::string::npos);
  got.clear();
  model->summary();
  REQUIRE(got.size() == 1);  // the table, as one message
  CHECK(got[0].rfind("Model: \"sequential", 0) == 0);
  CHECK(got[0].back() != '\n');

  config::enable_interactive_logging();
  config::set_log_handler({});
  got.clear();
  Capture again;
  keras::utils::Progbar shown(1, {.out = again.f});
  shown.update(1);
  CHECK(got.empty());
  CHECK(again.text().rfind("1/1 ", 0) == 0);
}
