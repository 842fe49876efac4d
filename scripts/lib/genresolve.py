#!/usr/bin/env python3
"""Writes a PEP 503 tree for the resolution benchmark (scripts/bench resolve): `rs-root`
depends on a chain of 30 libraries of 20 versions each and on a release train (`rs-sdk` 1.k
pins `rs-api==1.k`, while `rs-api` is five releases ahead), and the newest versions of the last
library cap `rs-api`, so the newest choices conflict and the resolver has to back up through
the train. Small pure wheels, each with its PEP 658 `.metadata` file (as PyPI serves them), so
every tool reads dependencies without downloading wheels.

Usage: genresolve.py ROOT
"""
import hashlib, os, sys, zipfile

root = sys.argv[1]
os.makedirs(f"{root}/files", exist_ok=True)
pages = {}


def wheel(name, version, requires=()):
    dist = f"{name.replace('-', '_')}-{version}"
    filename = f"{dist}-py3-none-any.whl"
    path = f"{root}/files/{filename}"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(f"Requires-Dist: {r}\n" for r in requires)
    with open(path + ".metadata", "w") as m:
        m.write(metadata)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{name.replace('-', '_')}/__init__.py", "")
        z.writestr(f"{dist}.dist-info/METADATA", metadata)
        z.writestr(f"{dist}.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        z.writestr(f"{dist}.dist-info/RECORD", "")
    pages.setdefault(name, []).append((filename, hashlib.sha256(open(path, "rb").read()).hexdigest(), hashlib.sha256(metadata.encode()).hexdigest()))


libs = [f"rs-lib-{i}" for i in range(1, 31)]
wheel("rs-root", "1.0", [libs[0], "rs-api", "rs-sdk"])
for k in range(20):
    wheel("rs-api", f"1.{k}")
for k in range(15):
    wheel("rs-sdk", f"1.{k}", [f"rs-api=={'1.' + str(k)}"])
for i, lib in enumerate(libs):
    for v in range(20):
        requires = [f"{libs[i + 1]}>=1.{max(0, v - 5)}"] if i + 1 < len(libs) else []
        if i + 1 == len(libs) and v >= 15:
            requires.append("rs-api<1.10")
        wheel(lib, f"1.{v}", requires)
for name, files in pages.items():
    os.makedirs(f"{root}/simple/{name}", exist_ok=True)
    links = "".join(f'<a href="../../files/{f}#sha256={d}" data-core-metadata="sha256={m}" data-dist-info-metadata="sha256={m}">{f}</a>\n' for f, d, m in files)
    with open(f"{root}/simple/{name}/index.html", "w") as out:
        out.write(f"<!DOCTYPE html><html><body>\n{links}</body></html>\n")
