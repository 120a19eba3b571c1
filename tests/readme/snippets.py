#!/usr/bin/env python3
"""Compiles the README's C++ snippets, so that they stay true.

Every ```cpp block of README.md becomes one translation unit, compiled with
`-std=c++20 -fsyntax-only` and the include folders given on the command line (CI passes
the staged install's include/keras-cpp, so the snippets see what a user sees):
- a block with an `#include` line is a whole program and is compiled as it stands;
- any other block is a fragment: it is compiled inside a function body, after
  `#include <keras/keras.h>`, `namespace ops = keras::ops;` and the context the README
  gives it in an HTML comment on the lines just before the block (not rendered):
      <!-- snippet context (namespace scope):
      struct MyHuber ...;
      -->
      <!-- snippet context:
      keras::Tensor x = ops::zeros({32, 784});
      -->
  (the first, optional, goes before the function; the second into it, before the block).

Usage: snippets.py README.md WORKDIR [-I DIR]... [--cxx CXX]
Exits 1 naming each block (and its README line) that does not compile.
"""
import argparse
import os
import re
import subprocess
import sys

CONTEXT = re.compile(r"<!-- snippet context( \(namespace scope\))?:\n(.*?)-->\n", re.S)


def blocks(text):
    """(line, code, namespace-scope context, function context) of each cpp block."""
    out = []
    for m in re.finditer(r"^```cpp\n(.*?)^```", text, re.S | re.M):
        line = text.count("\n", 0, m.start()) + 1
        before = text[: m.start()]
        ns_ctx, fn_ctx = "", ""
        # The context comments sit right above the block (only blank lines between).
        while True:
            stripped = before.rstrip("\n") + "\n"
            c = None
            for cm in CONTEXT.finditer(stripped):
                if cm.end() == len(stripped):
                    c = cm
            if c is None:
                break
            if c.group(1):
                ns_ctx = c.group(2) + ns_ctx
            else:
                fn_ctx = c.group(2) + fn_ctx
            before = stripped[: c.start()]
        out.append((line, m.group(1), ns_ctx, fn_ctx))
    return out


def translation_unit(code, ns_ctx, fn_ctx, n):
    if re.search(r"^\s*#\s*include", code, re.M):
        return code
    return ("#include <keras/keras.h>\n#include <iostream>\nnamespace ops = keras::ops;\n" + ns_ctx +
            f"\nvoid readme_snippet_{n}() {{\n" + fn_ctx + "\n#line 1\n" + code + "\n}\n")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("readme")
    p.add_argument("workdir")
    p.add_argument("-I", dest="includes", action="append", default=[])
    p.add_argument("--cxx", default=os.environ.get("CXX", "c++"))
    a = p.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    with open(a.readme, encoding="utf-8") as f:
        found = blocks(f.read())
    failed = []
    for n, (line, code, ns_ctx, fn_ctx) in enumerate(found, 1):
        path = os.path.join(a.workdir, f"readme_snippet_{n}.cpp")
        with open(path, "w", encoding="utf-8") as f:
            f.write(translation_unit(code, ns_ctx, fn_ctx, n))
        cmd = [a.cxx, "-std=c++20", "-fsyntax-only", *[f"-I{d}" for d in a.includes], path]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            failed.append(line)
            print(f"README.md:{line}: the snippet does not compile ({path}):\n{r.stderr}", file=sys.stderr)
    print(f"README snippets: {len(found) - len(failed)} of {len(found)} compile")
    return 1 if failed or not found else 0


if __name__ == "__main__":
    sys.exit(main())
