#!/usr/bin/env python3
"""Writes a PEP 503 tree for the wheelhouse benchmark: `wh-root` (one pure wheel) depends on
wh-lib-1..9, each with a wheel per target (cp311, cp312, cp313 x manylinux_2_17_x86_64,
win_amd64): 55 files, SIZE bytes of random payload each. Pages carry sha256 digests.

Usage: genwheelhouse.py ROOT SIZE
"""
import hashlib, os, sys, zipfile

root, size = sys.argv[1], int(sys.argv[2])
os.makedirs(f"{root}/files", exist_ok=True)
libs = [f"wh-lib-{i}" for i in range(1, 10)]


def wheel(name, tag, requires=()):
    dist = name.replace("-", "_") + "-1.0"
    filename = f"{dist}-{tag}.whl"
    path = f"{root}/files/{filename}"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n" + "".join(f"Requires-Dist: {r}\n" for r in requires)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr(f"{name.replace('-', '_')}/data.bin", os.urandom(size))
        z.writestr(f"{dist}.dist-info/METADATA", metadata)
        z.writestr(f"{dist}.dist-info/WHEEL", f"Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: false\nTag: {tag}\n")
        z.writestr(f"{dist}.dist-info/RECORD", "")
    return filename, hashlib.sha256(open(path, "rb").read()).hexdigest()


def page(name, files):
    os.makedirs(f"{root}/simple/{name}", exist_ok=True)
    links = "".join(f'<a href="../../files/{f}#sha256={d}">{f}</a>\n' for f, d in files)
    with open(f"{root}/simple/{name}/index.html", "w") as out:
        out.write(f"<!DOCTYPE html><html><body>\n{links}</body></html>\n")


page("wh-root", [wheel("wh-root", "py3-none-any", libs)])
for lib in libs:
    page(lib, [wheel(lib, f"cp{v}-cp{v}-{p}") for v in (311, 312, 313) for p in ("manylinux_2_17_x86_64", "win_amd64")])
