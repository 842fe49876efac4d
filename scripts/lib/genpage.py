#!/usr/bin/env python3
"""Writes a PEP 503 HTML and a PEP 691 JSON page for one project with N files.

Usage: genpage.py ROOT N
Creates ROOT/html/simple/bench-pkg/index.html and ROOT/json/simple/bench-pkg/index.{html,json}.
Five files per version (pure wheel, two platform wheels, a Windows wheel, an sdist), sha256
fragments, a Requires-Python on a third of them, one version in a hundred yanked.
"""
import hashlib, json, os, sys

root, n = sys.argv[1], int(sys.argv[2])
tags = ["py3-none-any", "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
        "cp312-cp312-manylinux_2_28_aarch64", "cp311-cp311-win_amd64", None]
files = []
i = 0
v = 0
while len(files) < n:
    version = f"{1 + v // 1000}.{(v // 10) % 100}.{v % 10}"
    for t in tags:
        if len(files) >= n:
            break
        name = f"bench_pkg-{version}.tar.gz" if t is None else f"bench_pkg-{version}-{t}.whl"
        digest = hashlib.sha256(name.encode()).hexdigest()
        files.append({
            "filename": name,
            "url": f"../../files/{name}",
            "hashes": {"sha256": digest},
            "requires-python": ">=3.8" if i % 3 == 0 else None,
            "yanked": "broken" if v % 100 == 99 else False,
        })
        i += 1
    v += 1

for kind in ("html", "json"):
    d = os.path.join(root, kind, "simple", "bench-pkg")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "index.html"), "w") as f:
        f.write('<!DOCTYPE html>\n<html><head><meta name="pypi:repository-version" content="1.1"><title>Links for bench-pkg</title></head><body>\n<h1>Links for bench-pkg</h1>\n')
        for x in files:
            attrs = ""
            if x["requires-python"]:
                attrs += ' data-requires-python="&gt;=3.8"'
            if x["yanked"]:
                attrs += ' data-yanked="broken"'
            f.write(f'<a href="{x["url"]}#sha256={x["hashes"]["sha256"]}"{attrs}>{x["filename"]}</a><br />\n')
        f.write("</body></html>\n")
    if kind == "json":
        with open(os.path.join(d, "index.json"), "w") as f:
            json.dump({"meta": {"api-version": "1.1"}, "name": "bench-pkg",
                       "files": [{k: v for k, v in x.items() if v is not None} for x in files]}, f)
