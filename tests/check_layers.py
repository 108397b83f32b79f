#!/usr/bin/env python3
"""Fails when an #include in src/ crosses the layer table of STYLE.md.

Reads every `#include "module/..."` in src/<module>/ and checks that <module>
may use the included module. Run by ctest as the `layering` test.
"""
import pathlib
import re
import sys

# module -> modules it may include (besides itself)
ALLOWED = {
    "util": set(),
    "domain": {"util"},
    "sla": {"util", "domain"},
    "mail": {"util"},
    "store": {"util", "domain"},
    "search": {"util", "domain", "store"},
    "rules": {"util", "domain", "sla"},
    "services": {"util", "domain", "sla", "mail", "store", "search", "rules"},
    "channels": {"util", "domain", "sla", "mail", "store", "search", "rules", "services"},
    "http": {"util", "domain", "sla", "mail", "store", "search", "rules", "services"},
    "app": {"util", "domain", "sla", "mail", "store", "search", "rules", "services",
            "channels", "http"},
}
# search/analysis (tokenizers, stemmers) uses util only.
SUBMODULES = {("search", "analysis"): {"util"}}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def main(src: pathlib.Path) -> int:
    bad = []
    for path in sorted(src.rglob("*")):
        if path.suffix not in (".h", ".cc", ".cpp", ".hpp"):
            continue
        rel = path.relative_to(src).parts
        module = rel[0]
        if module not in ALLOWED:
            bad.append(f"{path}: folder '{module}' is not in the layer table")
            continue
        allowed = SUBMODULES.get(tuple(rel[:2]), ALLOWED[module])
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            target = m.group(1).split("/")
            if len(target) < 2:
                continue  # same-folder or generated include
            if target[0] == module and tuple(rel[:2]) not in SUBMODULES:
                continue
            if target[0] == module and target[:2] == list(rel[:2]):
                continue
            if target[0] not in allowed:
                bad.append(f"{path}:{n}: {module} may not include {m.group(1)}")
    for b in bad:
        print(b)
    print(f"layering: {len(bad)} violation(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "src")))
