"""Interleaved A/B of whole-archive linking (``archive provenance --refresh``) between two checkouts.

    .venv/bin/python bench/link_ab.py HOME --base ../wt-base [--rounds 3]

HOME is an archive ingested without provenance (``bench/worker.py ingest HOME PATH...
--no-provenance``). Each round links a fresh copy of it with the base checkout's
``bench/worker.py link`` and then with this checkout's (each in its own process and its own
virtualenv), so both see the machine in the same state as far as interleaving allows; the machine
may be shared, so the load average at the start of each run is printed with it. Prints one line
per run and the medians (wall, CPU of the process tree, CPU of the linking process itself).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parents[1]


def _run(checkout: Path, home: Path) -> dict[str, Any]:
    """One ``worker.py link`` of ``home`` with ``checkout``'s code and virtualenv."""
    load = os.getloadavg()[0]
    out = subprocess.run([str(checkout / ".venv/bin/python"), str(checkout / "bench/worker.py"), "link", str(home)],
                         check=True, capture_output=True, text=True, cwd=checkout).stdout
    result = json.loads(out.strip().splitlines()[-1])
    return {"load": load, "wall": result["seconds"], "cpu_tree": result["cpu_tree_s"], "cpu_self": result["cpu_self_s"],
            "links": result["provenance_change"]["links"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("home", type=Path)
    parser.add_argument("--base", type=Path, required=True, help="the checkout to compare with (its own .venv)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    runs: dict[str, list[dict[str, Any]]] = {"base": [], "new": []}
    with tempfile.TemporaryDirectory(prefix="link-ab-", dir=args.home.parent) as tmp:
        for round_no in range(args.rounds):
            for name, checkout in (("base", args.base.resolve()), ("new", HERE)):
                home = Path(tmp) / name
                shutil.copytree(args.home, home)
                run = _run(checkout, home)
                shutil.rmtree(home)
                runs[name].append(run)
                print(f"round {round_no + 1} {name:4s}: wall {run['wall']:6.2f} s  cpu tree {run['cpu_tree']:6.2f} s  "
                      f"cpu self {run['cpu_self']:6.2f} s  load {run['load']:.2f}  links {run['links']}", flush=True)
    for name, rows in runs.items():
        print(f"median {name:4s}: " + "  ".join(f"{key} {statistics.median(r[key] for r in rows):6.2f}"
                                                for key in ("wall", "cpu_tree", "cpu_self", "load")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
