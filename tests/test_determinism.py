"""Results do not depend on Python's per-process hash seed (set and dict order, str hashes)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO, SEEDS

SCRIPT = """
import json, sys
from archive.ingest.readers import iter_records
from archive.ingest.normalize import normalize_record, content_hash
from archive.provenance import DocInput, build
records = [normalize_record(r) for r in iter_records([sys.argv[1]])]
docs = [DocInput(id=i, text=r.text, title=r.title) for i, r in enumerate(records, 1)]
result = build(docs)
print(json.dumps({
    "hashes": [content_hash(r.text) for r in records],
    "titles": [r.title for r in records],
    "links": [[l.derived_id, l.source_id, l.relation, round(l.score, 6), l.evidence] for l in result.links],
    "flags": result.flags,
}, sort_keys=True, default=str))
"""


def run_with_seed(seed: str, folder: Path) -> str:
    env = dict(os.environ, PYTHONHASHSEED=seed)
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(folder)], env=env, cwd=REPO,
                          capture_output=True, text=True, check=True)
    return done.stdout


def test_normalisation_and_provenance_ignore_the_hash_seed(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for seed in SEEDS.iterdir():
        (folder / seed.name).write_bytes(seed.read_bytes())
    (folder / "wire.txt").write_text(
        "Share this:\nTweet\n\nOil prices rise\n\nOil prices rose on Monday after OPEC agreed to cut output "
        "by 1.5 mln barrels a day, traders said.\n\nSource link\n"
    )
    outputs = {run_with_seed(seed, folder) for seed in ("0", "1", "12345")}
    assert len(outputs) == 1
