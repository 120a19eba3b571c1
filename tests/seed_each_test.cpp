// seed_each_test.cpp - a doctest listener that seeds core's global random generator at
// the start of every test case with a hash of the test's name. Unseeded draws
// (initializers, Dropout, shuffles without a seed) are then the same at every run and in
// any selection or order of tests, so no test depends on the clock-seeded generator or
// on the tests that ran before it.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "core/ops.h"

namespace {

uint64_t fnv1a(const char* s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; ++s) h = (h ^ uint8_t(*s)) * 1099511628211ull;
  return h;
}

struct SeedEachTest : doctest::IReporter {
  explicit SeedEachTest(const doctest::ContextOptions&) {}
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats&) override {}
  void test_case_start(const doctest::TestCaseData& tc) override { keras::core::ops::set_random_seed(fnv1a(tc.m_name) >> 1); }
  void test_case_reenter(const doctest::TestCaseData& tc) override { test_case_start(tc); }
  void test_case_end(const doctest::CurrentTestCaseStats&) override {}
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}
};

}  // namespace

DOCTEST_REGISTER_LISTENER("seed_each_test", 1, SeedEachTest);
