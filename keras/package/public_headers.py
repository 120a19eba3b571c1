#!/usr/bin/env python3
"""Prints keras-cpp's public headers, one path per line (relative to the source root):
the headers that keras/keras.h, the opt-in core/xtensor_interop.h and core/kernel_support.h,
and keras/distribute/strategy.h and distribution.h (keras-cpp-distribute's
API) include, directly or through each other (their `#include "..."` lines). Those, and only those, are installed.

Usage: public_headers.py SOURCE_ROOT
"""
import os
import re
import sys

ENTRY_POINTS = ["keras/keras.h", "core/xtensor_interop.h", "core/kernel_support.h", "core/layer_norm.h", "core/attention.h",
                "keras/distribute/strategy.h", "keras/distribute/distribution.h"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def closure(root):
    seen, todo = set(), list(ENTRY_POINTS)
    while todo:
        header = todo.pop()
        if header in seen:
            continue
        path = os.path.join(root, header)
        if not os.path.isfile(path):
            sys.exit(f"public_headers.py: {header} is included but is not a file under {root}")
        seen.add(header)
        with open(path, encoding="utf-8") as f:
            todo.extend(INCLUDE.findall(f.read()))
    return sorted(seen)


if __name__ == "__main__":
    print("\n".join(closure(sys.argv[1])))
