"""`python -m bench [NAME [ARGS…]]`: run one benchmark, or every benchmark with no NAME.

A benchmark is any module `bench/<name>.py` (not starting with "_") that defines `main(argv) -> int`.
Add a module and it is found; nothing to register here. `python -m bench --list` lists them.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def available() -> dict[str, str]:
    here = Path(__file__).resolve().parent
    names = sorted(info.name for info in pkgutil.iter_modules([str(here)]) if not info.name.startswith("_"))
    found = {}
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        if callable(getattr(module, "main", None)):
            found[name] = (module.__doc__ or "").strip().splitlines()[0] if module.__doc__ else ""
    return found


def main(argv: list[str]) -> int:
    benchmarks = available()
    if argv and argv[0] in ("-h", "--help", "--list"):
        print(__doc__.strip())
        print()
        for name, summary in benchmarks.items():
            print(f"  {name:<20} {summary}")
        return 0
    if argv:
        name, rest = argv[0].replace("-", "_"), argv[1:]
        if name not in benchmarks:
            known = ", ".join(benchmarks) or "none"
            print(f"Unknown benchmark {argv[0]!r}. Available: {known}", file=sys.stderr)
            return 2
        return importlib.import_module(f"bench.{name}").main(rest)
    status = 0
    for name in benchmarks:
        print(f"=== {name} ===", flush=True)
        status = importlib.import_module(f"bench.{name}").main([]) or status
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
