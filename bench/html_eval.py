"""How much of each web page's main text the ingest keeps, against trafilatura used directly.

    .venv/bin/python bench/html_eval.py [--json OUT] [--show N]

Reads the 250 pages of ``../shared/data/html_pages`` (trafilatura's evaluation set: for each
page, passages its main text must contain, ``with``, and boilerplate it must not, ``without``)
twice: as ``archive ingest`` reads them (the HTML reader, then normalisation and cruft
removal; title and text), and with ``trafilatura.extract`` at its defaults, the baseline. A passage counts as
found when its words appear in that order in the text (case and whitespace aside). Recall is the
share of ``with`` passages found, precision the share of ``without`` passages absent. Pages
where the ingest loses a passage the baseline keeps are listed: that is what the ingest's own
cruft removal costs.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import DATA  # noqa: E402

from archive.ingest.normalize import normalize_record  # noqa: E402
from archive.ingest.readers import iter_records  # noqa: E402
from archive.ingest.records import RawRecord  # noqa: E402

PAGES = DATA / "html_pages"


def comparable(text: str) -> str:
    """Words only, lower-cased, one space apart: passages and texts differ in layout, not words."""
    return " ".join(re.findall(r"\w+", unicodedata.normalize("NFC", text).casefold()))


def ingested_text(path: Path) -> str | None:
    """The title and text ``archive ingest`` would store for the page (None when it would fail):
    a heading that repeats the title is stored as the title only, and searched there."""
    records = list(iter_records([str(path)]))
    if len(records) != 1 or not isinstance(records[0], RawRecord):
        return None
    record = normalize_record(records[0], detect_language=False)
    return f"{record.title or ''}\n{record.text}"


def baseline_text(path: Path) -> str | None:
    import trafilatura

    return trafilatura.extract(path.read_text(encoding="utf-8", errors="replace"))


def score(text: str | None, expected: dict[str, Any]) -> dict[str, list[str]]:
    """The page's passages sorted into found / missed (``with``) and leaked / kept out (``without``)."""
    seen = comparable(text or "")
    found = [p for p in expected.get("with", []) if comparable(p) in seen]
    missed = [p for p in expected.get("with", []) if comparable(p) not in seen]
    leaked = [p for p in expected.get("without", []) if comparable(p) and comparable(p) in seen]
    out = [p for p in expected.get("without", []) if not comparable(p) or comparable(p) not in seen]
    return {"found": found, "missed": missed, "leaked": leaked, "kept_out": out}


def totals(scores: list[dict[str, list[str]]]) -> dict[str, Any]:
    count = {key: sum(len(s[key]) for s in scores) for key in ("found", "missed", "leaked", "kept_out")}
    recall = count["found"] / max(1, count["found"] + count["missed"])
    precision = count["kept_out"] / max(1, count["kept_out"] + count["leaked"])
    f1 = 2 * precision * recall / max(1e-9, precision + recall)
    return {**count, "recall": round(recall, 4), "precision": round(precision, 4), "f1": round(f1, 4)}


def evaluate(show: int = 10) -> dict[str, Any]:
    expected = json.loads((PAGES / "expected.json").read_text(encoding="utf-8"))
    ours, base, failed, lost = [], [], [], []
    for key, item in sorted(expected.items()):
        path = PAGES / "pages" / item["file"]
        text = ingested_text(path)
        if text is None:
            failed.append(item["file"])
        mine, theirs = score(text, item), score(baseline_text(path), item)
        ours.append(mine)
        base.append(theirs)
        extra_missed = [p for p in mine["missed"] if p in theirs["found"]]
        if extra_missed:
            lost.append({"page": item["file"], "passages": [p[:100] for p in extra_missed]})
    result = {"pages": len(expected), "ingest_failed": failed, "ingest": totals(ours),
              "trafilatura_extract": totals(base), "passages_lost_to_the_ingest": sum(len(x["passages"]) for x in lost),
              "pages_losing_passages": lost[:show]}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the result here")
    parser.add_argument("--show", type=int, default=10, help="pages losing passages to list")
    args = parser.parse_args()
    if not (PAGES / "expected.json").exists():
        sys.exit(f"no HTML evaluation set at {PAGES} (see ../shared/data/README.md)")
    result = evaluate(args.show)
    print(json.dumps(result, indent=1, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
