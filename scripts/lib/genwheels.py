#!/usr/bin/env python3
"""Writes a PEP 503 tree of COUNT projects with one valid wheel each, SIZE bytes of random
(incompressible) payload per wheel, and a requirements file pinning all of them.

Usage: genwheels.py ROOT COUNT SIZE
Creates ROOT/simple/<name>/index.html, ROOT/files/<wheel>, ROOT/requirements.txt and
ROOT/urls.txt (one file URL path per line, for curl).
"""
import hashlib, os, sys, zipfile

root, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(f"{root}/files", exist_ok=True)
reqs, paths = [], []
for i in range(count):
    name = f"bench-dl-{i:03d}"
    dist = name.replace("-", "_") + "-1.0"
    wheel = f"{dist}-py3-none-any.whl"
    path = f"{root}/files/{wheel}"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr(f"{name.replace('-', '_')}/data.bin", os.urandom(size))
        z.writestr(f"{dist}.dist-info/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
        z.writestr(f"{dist}.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        z.writestr(f"{dist}.dist-info/RECORD", "")
    digest = hashlib.sha256(open(path, "rb").read()).hexdigest()
    os.makedirs(f"{root}/simple/{name}", exist_ok=True)
    with open(f"{root}/simple/{name}/index.html", "w") as f:
        f.write(f'<!DOCTYPE html><html><body><a href="../../files/{wheel}#sha256={digest}">{wheel}</a></body></html>\n')
    reqs.append(f"{name}==1.0\n")
    paths.append(f"/files/{wheel}\n")
open(f"{root}/requirements.txt", "w").writelines(reqs)
open(f"{root}/urls.txt", "w").writelines(paths)
