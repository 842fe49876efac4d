#!/usr/bin/env python3
"""Writes the dist-info of the pyindex wheel: METADATA (core metadata 2.4) and WHEEL.

`wheel pack` adds RECORD; `auditwheel repair` sets the manylinux tag. The version comes from the
built binary (`pyindex --version`), so the wheel and the binary cannot disagree.

    wheelmeta.py --version V --readme README.md --dist-info DIR
"""
import argparse
import os
import re
import sys

SUMMARY = "List versions and download distributions from Python package indexes, with credentials done right."
CLASSIFIERS = [
    "Development Status :: 4 - Beta",
    "Environment :: Console",
    "Intended Audience :: Developers",
    "Intended Audience :: System Administrators",
    "Operating System :: POSIX :: Linux",
    "Topic :: Software Development :: Build Tools",
    "Topic :: System :: Software Distribution",
]
# The project has no public home or LICENSE file yet: no Project-URL or License field is
# written rather than an invented one (see the README's Install section).
URLS: dict[str, str] = {}
VERSION = re.compile(r"^\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?$")


def metadata(version: str, readme: str) -> str:
    if not VERSION.match(version):
        raise ValueError(f"not a PEP 440 version: {version!r}")
    lines = [
        "Metadata-Version: 2.4",
        "Name: pyindex",
        f"Version: {version}",
        f"Summary: {SUMMARY}",
        "Requires-Python: >=3.8",
    ]
    lines += [f"Classifier: {c}" for c in CLASSIFIERS]
    lines += [f"Project-URL: {k}, {v}" for k, v in URLS.items()]
    lines.append("Description-Content-Type: text/markdown")
    return "\n".join(lines) + "\n\n" + readme


def wheel_file() -> str:
    # Root-Is-Purelib false: a platform wheel; the tag is made manylinux by auditwheel.
    return "Wheel-Version: 1.0\nGenerator: pyindex scripts/wheel\nRoot-Is-Purelib: false\nTag: py3-none-linux_x86_64\n"


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--version", required=True)
    p.add_argument("--readme", required=True)
    p.add_argument("--dist-info", required=True)
    a = p.parse_args(argv)
    with open(a.readme, encoding="utf-8") as f:
        readme = f.read()
    try:
        text = metadata(a.version, readme)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 64
    os.makedirs(a.dist_info, exist_ok=True)
    with open(os.path.join(a.dist_info, "METADATA"), "w", encoding="utf-8") as f:
        f.write(text)
    with open(os.path.join(a.dist_info, "WHEEL"), "w", encoding="utf-8") as f:
        f.write(wheel_file())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
