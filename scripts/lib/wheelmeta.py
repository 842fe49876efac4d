#!/usr/bin/env python3
"""Writes the dist-info of the pyindex wheel: METADATA (core metadata 2.4), WHEEL and, given
--license, licenses/LICENSE with its License-Expression and License-File fields (PEP 639).

`wheel pack` adds RECORD; `auditwheel repair` sets the manylinux tag. The version comes from the
built binary (`pyindex --version`), so the wheel and the binary cannot disagree.

    wheelmeta.py --version V --readme README.md [--license LICENSE] --dist-info DIR
"""
import argparse
import os
import re
import shutil
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
# The project has no public home yet: no Project-URL is written rather than an invented one.
URLS: dict[str, str] = {}
LICENSE_EXPRESSION = "Apache-2.0"  # PyIndexModel/PyIndexVersion.swift's `license`
VERSION = re.compile(r"^\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?$")


def metadata(version: str, readme: str, license_file: bool = False) -> str:
    if not VERSION.match(version):
        raise ValueError(f"not a PEP 440 version: {version!r}")
    lines = [
        "Metadata-Version: 2.4",
        "Name: pyindex",
        f"Version: {version}",
        f"Summary: {SUMMARY}",
        "Requires-Python: >=3.8",
    ]
    if license_file:
        lines += [f"License-Expression: {LICENSE_EXPRESSION}", "License-File: LICENSE"]
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
    p.add_argument("--license", help="the LICENSE file, copied to licenses/LICENSE")
    p.add_argument("--dist-info", required=True)
    a = p.parse_args(argv)
    with open(a.readme, encoding="utf-8") as f:
        readme = f.read()
    try:
        text = metadata(a.version, readme, license_file=a.license is not None)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 64
    os.makedirs(a.dist_info, exist_ok=True)
    with open(os.path.join(a.dist_info, "METADATA"), "w", encoding="utf-8") as f:
        f.write(text)
    with open(os.path.join(a.dist_info, "WHEEL"), "w", encoding="utf-8") as f:
        f.write(wheel_file())
    if a.license is not None:
        os.makedirs(os.path.join(a.dist_info, "licenses"), exist_ok=True)
        shutil.copyfile(a.license, os.path.join(a.dist_info, "licenses", "LICENSE"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
