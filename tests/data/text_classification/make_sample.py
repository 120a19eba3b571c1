#!/usr/bin/env python3
"""Writes Packages: a small fixed sample of Debian's apt package lists for the
text_classification example's integration test (tests/examples/test_examples.cpp).

It reads the machine's lists (/var/lib/apt/lists/*_Packages*, lz4 files through
/usr/lib/apt/apt-helper cat-file), keeps the Package, Section and Description fields, and
takes PER_SECTION packages (sorted by name, then every k-th) from each of the SECTIONS
most common sections. Run by hand:  python3 tests/data/text_classification/make_sample.py
"""
import collections
import glob
import os
import subprocess

SECTIONS = 5
PER_SECTION = 90
HERE = os.path.dirname(os.path.abspath(__file__))


def read_lists():
    packages = {}
    for path in sorted(glob.glob("/var/lib/apt/lists/*_Packages*")):
        if path.endswith(".lz4"):
            text = subprocess.run(["/usr/lib/apt/apt-helper", "cat-file", path], check=True,
                                  capture_output=True).stdout.decode("utf-8", "replace")
        else:
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
        for stanza in text.split("\n\n"):
            fields, desc, in_desc = {}, [], False
            for line in stanza.split("\n"):
                if line.startswith(" "):
                    if in_desc:
                        desc.append(line)
                    continue
                in_desc = line.startswith("Description:")
                key, _, value = line.partition(": ")
                fields[key] = value
                if in_desc:
                    desc = [line]
            if "Package" in fields and "Section" in fields and desc:
                packages[fields["Package"]] = (fields["Section"], desc)
    return packages


def main():
    packages = read_lists()
    counts = collections.Counter(s.split("/")[-1] for s, _ in packages.values())
    top = [s for s, _ in counts.most_common(SECTIONS)]
    out = []
    for section in top:
        names = sorted(n for n, (s, _) in packages.items() if s.split("/")[-1] == section)
        step = max(1, len(names) // PER_SECTION)
        for name in names[::step][:PER_SECTION]:
            s, desc = packages[name]
            out.append("\n".join([f"Package: {name}", f"Section: {s}"] + desc))
    with open(os.path.join(HERE, "Packages"), "w", encoding="utf-8") as f:
        f.write("\n\n".join(out) + "\n")
    print(len(out), "packages from sections", top)


if __name__ == "__main__":
    main()
