"""cProfile of the expensive paths, to find what to fix.

    .venv/bin/python bench/profile_stages.py ingest [--docs 3000] [--top 25]     # all stages in one process
    .venv/bin/python bench/profile_stages.py provenance [--docs 19043]           # refresh_provenance only
    .venv/bin/python bench/profile_stages.py search [--docs 19043 | --home DIR]  # the query set, warm

The ingest runs with ``background=False`` so reading, normalising and fingerprinting (normally
in the reader process) show up in the same profile as storing and indexing.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REUTERS, load_jsonl, require_data, write_jsonl  # noqa: E402


def _stats(profile: cProfile.Profile, top: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue().replace(str(Path(sys.prefix)), "$VENV")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("ingest", "provenance", "search"))
    parser.add_argument("--docs", type=int, default=3000, help="the first N Reuters stories")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--home", type=Path, help="search/provenance: use this existing archive instead")
    args = parser.parse_args()
    require_data(REUTERS)

    from queries import QUERIES

    from archive.api import Archive

    def run_queries() -> None:
        for spec in QUERIES:
            archive.search(spec["query"], **{k: v for k, v in spec.items() if k not in ("name", "query")})

    with tempfile.TemporaryDirectory(prefix="archive-profile-") as tmp:
        archive = Archive(args.home or Path(tmp) / "home")
        if not args.home:
            corpus = Path(tmp) / "reuters.jsonl.gz"
            write_jsonl(corpus, load_jsonl(REUTERS)[: args.docs])
            if args.what != "ingest":
                archive.ingest([str(corpus)], provenance=False)
        profile = cProfile.Profile()
        if args.what == "ingest":
            profile.enable()
            summary = archive.ingest([str(corpus)], background=False, provenance=True)
            profile.disable()
            print(f"seconds: { {k: round(v, 2) for k, v in summary.seconds.items()} }")
        elif args.what == "provenance":
            profile.enable()
            archive.refresh_provenance()
            profile.disable()
        else:
            run_queries()  # warm-up
            profile.enable()
            for _ in range(5):
                run_queries()
            profile.disable()
        archive.close()
        print(_stats(profile, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
