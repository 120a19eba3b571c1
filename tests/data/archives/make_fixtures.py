"""Writes the archives keras::utils' extract_archive and get_file are checked on (tar in
ustar, GNU and PAX forms, gzip'd or not, with links and members that would land outside
the folder; a zip with the same), then what Keras 3's own extract_archive and get_file make
of them: expected.json (each archive's extracted tree, its return value, and get_file's
returned paths relative to its cache folder).

Run with a Python that has keras: /work/venv/bin/python make_fixtures.py
"""
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import zipfile

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
HERE = os.path.dirname(os.path.abspath(__file__))
LONG = "top/" + "deep_folder_name_" * 5 + "/" + "a_file_name_longer_than_one_hundred_bytes_" * 2 + ".txt"


def add_file(t, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 1700000000
    t.addfile(info, io.BytesIO(data))


def add_special(t, name, kind, target=""):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    info.mtime = 1700000000
    if kind == tarfile.DIRTYPE:
        info.mode = 0o755
    t.addfile(info)


def write_tars():
    specs = {"ustar.tar": (tarfile.USTAR_FORMAT, ""), "gnu.tar.gz": (tarfile.GNU_FORMAT, "gz"),
             "pax.tar": (tarfile.PAX_FORMAT, "")}
    for name, (fmt, comp) in specs.items():
        with tarfile.open(os.path.join(HERE, name), "w:" + comp, format=fmt) as t:
            add_special(t, "top", tarfile.DIRTYPE)
            add_file(t, "top/a.txt", b"alpha\n")
            add_file(t, "top/sub/b.bin", bytes(range(256)) * 3)
            add_file(t, "top/empty.txt", b"")
            if fmt != tarfile.USTAR_FORMAT:
                add_file(t, LONG, b"a long name\n")
            if fmt == tarfile.PAX_FORMAT:
                add_file(t, "top/caf\u00e9.txt", b"pax utf-8 name\n")
    with tarfile.open(os.path.join(HERE, "links.tar.gz"), "w:gz", format=tarfile.GNU_FORMAT) as t:
        add_file(t, "top/a.txt", b"alpha\n")
        add_special(t, "top/link_in", tarfile.SYMTYPE, "a.txt")
        add_special(t, "top/link_out", tarfile.SYMTYPE, "../../outside.txt")
        add_special(t, "top/link_abs", tarfile.SYMTYPE, "/etc/passwd")
        add_special(t, "top/hard", tarfile.LNKTYPE, "top/a.txt")
        add_file(t, "../escape.txt", b"escape\n")
        add_file(t, "/abs.txt", b"absolute\n")
    with zipfile.ZipFile(os.path.join(HERE, "data.zip"), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("z/", b"")
        z.writestr("z/c.txt", b"zip member\n")
        z.writestr("z/d/e.bin", bytes(range(200)))
        z.writestr("../zescape.txt", b"escape\n")
    with open(os.path.join(HERE, "not_an_archive.txt"), "w") as f:
        f.write("plain text, neither tar nor zip\n")


def tree(root):
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            p = os.path.join(dirpath, d)
            out[os.path.relpath(p, root)] = "link:" + os.readlink(p) if os.path.islink(p) else "dir"
        for f in filenames:
            p = os.path.join(dirpath, f)
            rel = os.path.relpath(p, root)
            if os.path.islink(p):
                out[rel] = "link:" + os.readlink(p)
            else:
                with open(p, "rb") as fh:
                    out[rel] = "sha256:" + hashlib.sha256(fh.read()).hexdigest()
    return out


def expected():
    from keras.src.utils import file_utils

    result = {"extract": {}, "get_file": []}
    for name in ["ustar.tar", "gnu.tar.gz", "pax.tar", "links.tar.gz", "data.zip", "not_an_archive.txt"]:
        for fmt in ["auto", "tar", "zip"]:
            with tempfile.TemporaryDirectory() as d:
                dest = os.path.join(d, "out")
                ok = file_utils.extract_archive(os.path.join(HERE, name), dest, fmt)
                result["extract"][name + "|" + fmt] = {"returned": ok, "tree": tree(dest) if os.path.exists(dest) else None}
    hashes = {n: {"sha256": file_utils.hash_file(os.path.join(HERE, n), "sha256"),
                  "md5": file_utils.hash_file(os.path.join(HERE, n), "md5")} for n in ["gnu.tar.gz", "data.zip"]}
    result["hashes"] = hashes
    cases = [
        {"fname": "gnu.tar.gz", "origin": "https://example.com/files/gnu.tar.gz", "extract": True, "stored_as": "gnu.tar.gz"},
        {"fname": "flowers", "origin": "https://example.com/flowers.tgz", "extract": True, "stored_as": "flowers_archive",
         "source": "gnu.tar.gz"},
        {"fname": "", "origin": "https://example.com/pkg/data.zip?raw=1", "extract": True, "stored_as": "data.zip_archive",
         "source": "data.zip"},
        {"fname": "data.zip", "origin": "https://example.com/data.zip", "extract": False, "stored_as": "data.zip",
         "file_hash": hashes["data.zip"]["sha256"]},
        {"fname": "data.zip", "origin": "https://example.com/data.zip", "extract": False, "stored_as": "data.zip",
         "file_hash": hashes["data.zip"]["md5"]},
        {"fname": "plain", "origin": "https://example.com/pax.tar", "untar": True, "stored_as": "plain_archive",
         "source": "pax.tar", "cache_subdir": "sub"},
    ]
    for c in cases:
        with tempfile.TemporaryDirectory() as d:
            sub = c.get("cache_subdir", "datasets")
            os.makedirs(os.path.join(d, sub))
            shutil.copy(os.path.join(HERE, c.get("source", c["fname"])), os.path.join(d, sub, c["stored_as"]))
            path = file_utils.get_file(fname=c["fname"] or None, origin=c["origin"], extract=c.get("extract", False),
                                       untar=c.get("untar", False), file_hash=c.get("file_hash"), cache_subdir=sub,
                                       cache_dir=d)
            c["returned"] = os.path.relpath(path, d)
            c["tree"] = tree(path) if os.path.isdir(path) else None
        result["get_file"].append(c)
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    write_tars()
    expected()
