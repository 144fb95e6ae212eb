"""Print the oldest glibc (``2.X``) that every vendored wheel accepts.

Each wheel's ``*.dist-info/WHEEL`` lists its tags; a wheel tagged for several manylinux
levels runs on the lowest of them, and the package needs the highest of those minima.
Usage: python3 glibc-need.py VENDOR_DIR   (used by build-deb.sh for ``libc6 (>= 2.X)``).
"""
import pathlib
import re
import sys

ALIASES = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}


def level(tag: str) -> tuple[int, int]:
    m = re.match(r"manylinux_(\d+)_(\d+)_", tag)
    if m:
        return int(m.group(1)), int(m.group(2))
    return ALIASES.get(tag.split("_", 1)[0], (2, 17))


def main(vendor: str) -> str:
    need = (2, 17)
    for wheel in sorted(pathlib.Path(vendor).glob("*.dist-info/WHEEL")):
        tags = re.findall(r"^Tag: \S+-(manylinux\S+)$", wheel.read_text(encoding="utf-8"), re.M)
        if tags:
            need = max(need, min(level(t) for t in tags))
    return "%d.%d" % need


if __name__ == "__main__":
    print(main(sys.argv[1]))
