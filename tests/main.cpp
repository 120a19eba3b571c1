// main.cpp - doctest's main, alone in its translation unit so test files build fast.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
