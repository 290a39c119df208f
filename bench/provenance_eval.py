"""Evaluate archive.provenance on the dev data in ../shared/data (never copied into the repo;
$ARCHIVE_BENCH_DATA points at another folder of the same layout, such as held-out data).

    .venv/bin/python bench/provenance_eval.py                 # all settings
    .venv/bin/python bench/provenance_eval.py spun llmfake    # some settings
    .venv/bin/python bench/provenance_eval.py --json out.json
    .venv/bin/python bench/provenance_eval.py llmfake_parts --parts-seed 1

Settings: spun (spun_dev + all Reuters), llmfake, llmfake_no_outlets (no text has an outlet:
neither a source's dataset nor a rewrite's model), llmfake_parts (LLMFake in random halves and
quarters, each linked alone), llmfake_orphans (every rewrite but half the articles: what the
rewrites whose article is missing are linked to), llmfake_sites (the rewrites on sites instead of
their models' outlets: one page each, or spread over 40 farms), llmfake_articles (the articles alone, on many
newsrooms or none: links between separate reports), clough, seeds, reuters (duplicates report),
reuters_outlets (all of Reuters spread over 50 sites: its rewrite and spun links),
spun_ingest and llmfake_ingest (the same, through the real ingest into a new archive and its
provenance table), llmfake_ingest_outlets (llmfake's records with their outlet in a "source"
field, through the real ingest), mixed (spun, llmfake, clough and the seeds in one archive, each scored as
alone, and the links across them counted), pages_mixed (trafilatura's 250 pages, Reuters and
LLMFake with or without outlets, through the real ingest: the derivation links across corpora).
A link is correct when it joins a copy to its true source in the right direction; "story-level"
also accepts an exact/near duplicate of the true source (Reuters re-issues share text).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import random
import re
import resource
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from archive.provenance import DERIVATIONS, DocInput, ProvenanceIndex, fingerprint  # noqa: E402
from archive.provenance.cycles import cycle_breaks  # noqa: E402
# Records' dates are read as the ingest reads them (with or without a time or zone, RFC-2822,
# epoch seconds): held-out data may write its dates otherwise than ours.
from archive.ingest.readers import parse_date  # noqa: E402
from common import DATA, require_data  # noqa: E402
SEEDS = Path(__file__).resolve().parents[1] / "seeds"
# The default split of eval_llmfake_parts (random.Random(seed).shuffle of the source ids).
PARTS_SEED = 0


def _load(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _cpu_s() -> float:
    """CPU seconds of this process and of the (forked linking) workers it has waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def _run(docs: list[DocInput]) -> tuple[Any, ProvenanceIndex, dict[str, Any]]:
    timing: dict[str, float] = {}
    cpu0 = _cpu_s()
    t0 = time.perf_counter()
    fps = {d.id: fingerprint(d) for d in docs}
    timing["fingerprint_s"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    index = ProvenanceIndex()
    index.update(docs, fps)
    timing["link_s"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    result = index.result()
    timing["result_s"] = time.perf_counter() - t2
    timing["pairs_aligned"] = len(index.features)
    timing["pairs_with_relation"] = len(index.pairs)
    timing["total_s"] = time.perf_counter() - t0
    # CPU time is steadier than wall time on a shared machine; linking workers count too.
    timing["total_cpu_s"] = _cpu_s() - cpu0
    timing["docs_per_s"] = len(docs) / timing["total_s"]
    return result, index, {**{k: round(v, 3) for k, v in timing.items()}, **result_hashes(result),
                           "derivation_cycles": derivation_cycles(result)}


def derivation_cycles(result: Any) -> int:
    """How many loops the derivation links close (a text that derives from itself through a
    chain): 0 unless the engine's guard against them fails."""
    return len(cycle_breaks({l.derived_id: l.source_id for l in result.links if l.relation in DERIVATIONS}, min))


def result_hashes(result: Any) -> dict[str, str]:
    """Short digests of the result, to check that a change meant to be mechanical (speed) left it
    as it was: the links (pairs, relations, rounded scores), and everything else (evidence,
    stories, flags, attributions)."""
    links = sorted((l.derived_id, l.source_id, l.relation, round(l.score, 6), round(l.direction_confidence, 6))
                   for l in result.links)
    full = [[(l.derived_id, l.source_id, l.evidence) for l in result.links], sorted(result.story_of.items()),
            sorted(result.flags.items()), result.doc_evidence, [vars(a) for a in result.attributions]]
    digest = lambda x: hashlib.sha256(json.dumps(x, sort_keys=True, default=str).encode()).hexdigest()[:16]  # noqa: E731
    return {"links_hash": digest(links), "result_hash": digest(full)}


def reuters_docs(offset: int = 0, rows: list[dict[str, Any]] | None = None) -> tuple[list[DocInput], dict[str, int]]:
    """All Reuters stories, each with its number as its id moved up by ``offset``, and the ids by
    external id. ``rows``: Reuters' rows, when the caller has read them."""
    if rows is None:
        rows = _load(DATA / "reuters21578" / "reuters21578.jsonl.gz")
    id_of = {r["id"]: offset + number for r, number in zip(rows, _numbers(rows))}
    docs = [DocInput(id_of[r["id"]], r["text"], r.get("title"), parse_date(r.get("published")), r.get("source"), None)
            for r in rows]
    return docs, id_of


def _numbers(rows: list[dict[str, Any]]) -> list[int]:
    """Each row's number: Reuters' ids end with theirs ("reuters-123"); another corpus's ids
    (held-out data) are numbered in file order, from 1."""
    found = [re.fullmatch(r".*?(\d+)", str(r["id"])) for r in rows]
    numbers = [int(m.group(1)) if m else 0 for m in found]
    if all(numbers) and len(set(numbers)) == len(numbers):
        return numbers
    return list(range(1, len(rows) + 1))


@dataclass
class _Setting:
    """An in-memory setting: the documents to link, and how to score the links made of them
    (``score(result, index, timing)``; the result may hold other settings' documents too)."""

    docs: list[DocInput]
    score: Callable[[Any, ProvenanceIndex, dict[str, Any]], dict[str, Any]]


def _evaluate(setting: _Setting) -> dict[str, Any]:
    return setting.score(*_run(setting.docs))


def eval_spun() -> dict[str, Any]:
    return _evaluate(_spun_setting())


def _spun_setting(offset: int = 0) -> _Setting:
    """spun_dev's copies with all of Reuters; every document id moved up by ``offset``."""
    base, idmap = reuters_docs(offset)
    reuters = {d.id for d in base}
    spun = _load(DATA / "spun_dev" / "spun.jsonl.gz")
    _require_sources(spun, idmap, "spun_dev/spun.jsonl.gz", "reuters21578/reuters21578.jsonl.gz")
    copies: dict[int, tuple[int, str]] = {}
    docs = list(base)
    for k, r in enumerate(spun):
        doc_id = offset + 100_000 + k
        copies[doc_id] = (idmap[r["source_id"]], str(r.get("rate", "unknown")))
        docs.append(DocInput(doc_id, r["text"], r.get("title"), parse_date(r.get("published")), r.get("source"), None))
    return _Setting(docs, lambda result, index, timing: _score_spun(result, timing, reuters, copies))


def _require_sources(copies: list[dict[str, Any]], corpus_ids: dict[str, int], copies_file: str, corpus_file: str) -> None:
    """Exit with status 2 and a plain message when a copy names a source the corpus lacks: its
    links could not be scored (held-out data whose two files do not match)."""
    missing = [(r.get("id"), r.get("source_id")) for r in copies if r.get("source_id") not in corpus_ids]
    if missing:
        shown = ", ".join(f"{copy} -> {source}" for copy, source in missing[:5])
        print(f"bench: {len(missing)} copies in {copies_file} name a source_id that {corpus_file} does not hold "
              f"({shown}{', ...' if len(missing) > 5 else ''})", file=sys.stderr)
        raise SystemExit(2)


def _score_spun(result: Any, timing: dict[str, Any], reuters: set[int],
                copies: dict[int, tuple[int, str]]) -> dict[str, Any]:
    # Sources that are the same story as the true source: identical or near-identical Reuters text.
    same_text: dict[int, set[int]] = defaultdict(set)
    for link in result.links:
        if link.derived_id in reuters and link.source_id in reuters and link.relation in ("duplicate", "near_copy"):
            same_text[link.derived_id].add(link.source_id)
            same_text[link.source_id].add(link.derived_id)
    by_copy: dict[int, list[Any]] = defaultdict(list)
    for link in result.links:
        if link.relation in DERIVATIONS and link.derived_id in copies:
            by_copy[link.derived_id].append(link)
    per_rate: dict[str, Counter[str]] = defaultdict(Counter)
    wrong_story = 0
    relations: Counter[str] = Counter()
    examples: list[dict[str, Any]] = []
    reverse = 0
    for doc_id, (src, rate) in copies.items():
        links = by_copy.get(doc_id, [])
        _count(per_rate[rate], [l.source_id for l in links], src, {src} | same_text[src])
        ok = any(l.source_id == src for l in links)
        ok_story = any(l.source_id == src or l.source_id in same_text[src] for l in links)
        if result.story_of[doc_id] != result.story_of[src]:
            wrong_story += 1
        if any(l.source_id in copies for l in links):
            reverse += 1
        for l in links:
            relations[l.relation] += 1
        if (not ok or len(links) != 1) and len(examples) < 40:
            examples.append({"copy": doc_id, "true_source": src, "rate": rate, "strict_only": ok_story,
                             "links": [(l.source_id, l.relation, l.score) for l in links],
                             "as_source": [(l.derived_id, l.relation) for l in result.links if l.source_id == doc_id][:5]})
    out: dict[str, Any] = {"timing": timing, "relations": dict(relations), "copies_in_wrong_story": wrong_story,
                           "copies_linked_from_another_copy": reverse}
    total: Counter[str] = Counter()
    for rate in sorted(per_rate):
        c = per_rate[rate]
        total.update(c)
        out[f"rate_{rate}"] = _pr(c)
    out["all"] = _pr(total)
    out["misses"] = examples
    flagged = sum(1 for d in copies if "spun" in result.flags.get(d, []))
    out["copies_flagged_spun"] = flagged
    out["reuters_flagged_spun"] = sum(1 for d, f in result.flags.items() if d in reuters and "spun" in f)
    out["reuters_derivation_links"] = sum(1 for l in result.links if l.derived_id in reuters and l.source_id in reuters
                                          and l.relation in DERIVATIONS)
    # The copies were made from Reuters stories, so no story derives from one.
    out["reuters_derived_from_copies"] = sum(1 for l in result.links if l.derived_id in reuters and l.source_id in copies
                                             and l.relation in DERIVATIONS)
    return out


def _ingested(paths: list[Path], path_of: dict[int, str] | None = None, one_by_one: bool = False
              ) -> tuple[dict[str, int], dict[int, int], list[tuple[int, int, str]], dict[str, Any]]:
    """``archive ingest`` of ``paths`` into a new archive, as a user would run it (readers,
    normalisation, storage, linking during the ingest): the documents' ids by external id, their
    stories, the provenance table's (derived, source, relation) rows, and the ingest's timing;
    ``path_of``, when given, is filled with each document's file. ``one_by_one``: one ingest per
    path, in order (an archive growing corpus by corpus, linked as it grows)."""
    import sqlite3
    import tempfile

    from archive.api import Archive

    with tempfile.TemporaryDirectory(prefix="provenance-eval-") as home:
        t0, cpu0 = time.perf_counter(), _cpu_s()
        failed = 0
        for batch in ([[path] for path in paths] if one_by_one else [paths]):
            with Archive(home) as archive:
                failed += archive.ingest([str(path) for path in batch], background=False).failed
        timing = {"ingest_s": round(time.perf_counter() - t0, 3), "ingest_cpu_s": round(_cpu_s() - cpu0, 3),
                  "failed": failed}
        db = sqlite3.connect(Path(home) / "archive.db")
        id_of = {ext: doc_id for doc_id, ext in db.execute("SELECT id, external_id FROM documents")}
        story_of = dict(db.execute("SELECT document_id, story_id FROM stories"))
        rows = list(db.execute("SELECT derived_id, source_id, relation FROM provenance"))
        if path_of is not None:
            path_of.update(db.execute("SELECT id, path FROM documents"))
        db.close()
    return id_of, story_of, rows, timing


def eval_pages_mixed() -> dict[str, Any]:
    """One archive of every kind a user may gather, through the real ingest, one corpus after the
    other: all of Reuters, trafilatura's 250 web pages (many sites, ten languages), then LLMFake's
    articles and rewrites, with each LLMFake record's outlet in a "source" field (dataset,
    model) or with none. The corpora are independent, so every derivation link joining two of
    them is wrong: how many loose links a mixed archive draws between strangers (a 1987 wire
    story taken for a rewrite of a 2018 fact-check)."""
    import tempfile

    sources, rewrites = _llmfake_corpus()
    corpora = {"reuters": DATA / "reuters21578" / "reuters21578.jsonl.gz", "pages": DATA / "html_pages" / "pages"}
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="provenance-eval-") as folder:
        for variant, named in (("with_outlets", True), ("without_outlets", False)):
            llmfake = Path(folder) / f"llmfake-{variant}.jsonl"
            with llmfake.open("w", encoding="utf-8") as written:
                written.writelines(_llmfake_export(sources, "dataset" if named else None))
                written.writelines(_llmfake_export(rewrites, "generator" if named else None))
            path_of: dict[int, str] = {}
            _, _, rows, timing = _ingested([*corpora.values(), llmfake], path_of, one_by_one=True)
            corpus_of = {doc_id: next((name for name, path in corpora.items() if p.startswith(str(path))), "llmfake")
                         for doc_id, p in path_of.items()}
            across = [(d, s, relation) for d, s, relation in rows if corpus_of[d] != corpus_of[s]]
            derived = [row for row in across if row[2] in DERIVATIONS]
            out[variant] = {"documents": dict(Counter(corpus_of.values())), "ingest_s": timing["ingest_s"],
                            "derivation_links_across_corpora": len(derived),
                            "related_across_corpora": len(across) - len(derived),
                            "examples": [{"derived": f"{corpus_of[d]} {d}", "source": f"{corpus_of[s]} {s}",
                                          "relation": relation} for d, s, relation in derived[:6]]}
    return out


def eval_spun_ingest() -> dict[str, Any]:
    """The spun setting through the real ingest (``_ingested``) and the provenance table, as a
    user or another evaluation would run it; the copies' texts are then the normalised ones (a
    repeated headline and site furniture stripped), not the raw ones eval_spun links."""
    spun = _load(DATA / "spun_dev" / "spun.jsonl.gz")
    truth = {r["id"]: (r["source_id"], str(r.get("rate", "unknown"))) for r in spun}
    id_of, story_of, rows, timing = _ingested([DATA / "reuters21578" / "reuters21578.jsonl.gz",
                                               DATA / "spun_dev" / "spun.jsonl.gz"])
    same_text: dict[int, set[int]] = defaultdict(set)
    by_copy: dict[int, list[int]] = defaultdict(list)
    id_of, refused = _with_refused(id_of, [*truth, *(source for source, _ in truth.values())])
    copy_ids = {id_of[ext] for ext in truth}
    for derived, source, relation in rows:
        if relation in ("duplicate", "near_copy") and derived not in copy_ids and source not in copy_ids:
            same_text[derived].add(source)
            same_text[source].add(derived)
        if relation in DERIVATIONS and derived in copy_ids:
            by_copy[derived].append(source)
    per_rate: dict[str, Counter[str]] = defaultdict(Counter)
    wrong_story = 0
    for ext, (source_ext, rate) in truth.items():
        doc, src = id_of[ext], id_of[source_ext]
        _count(per_rate[rate], by_copy.get(doc, []), src, {src} | same_text[src])
        wrong_story += story_of.get(doc, -doc) != story_of.get(src, -src)
    return {"timing": timing, "copies_in_wrong_story": wrong_story, "not_ingested": refused,
            **_by_group(per_rate, "rate_")}


def eval_llmfake_ingest() -> dict[str, Any]:
    """The llmfake setting through the real ingest (``_ingested``). Unlike eval_llmfake, no outlet
    is given: the JSON has no publisher field (eval_llmfake passes each rewrite's model as its
    outlet), and the texts are the stored, normalised ones."""
    return _llmfake_through_ingest([DATA / "llmfake" / "sources.jsonl.gz", DATA / "llmfake" / "rewrites.jsonl.gz"],
                                   _llmfake_corpus())


def eval_llmfake_ingest_outlets() -> dict[str, Any]:
    """The llmfake setting as an archive of many sites would hold it: each record written to JSON
    Lines with its outlet in a ``source`` field (an article's dataset, a rewrite's model, as
    eval_llmfake gives them), then through the real ingest: what a user ingesting such an export
    gets, to compare with eval_llmfake's in-memory figures."""
    import tempfile

    corpus = sources, rewrites = _llmfake_corpus()
    with tempfile.TemporaryDirectory(prefix="provenance-eval-") as folder:
        paths = []
        for name, rows, outlet in (("sources", sources, "dataset"), ("rewrites", rewrites, "generator")):
            path = Path(folder) / f"{name}.jsonl"
            with path.open("w", encoding="utf-8") as out:
                out.writelines(_llmfake_export(rows, outlet))
            paths.append(path)
        return _llmfake_through_ingest(paths, corpus)


def _llmfake_export(rows: list[dict[str, Any]], outlet_field: str | None) -> Iterator[str]:
    """LLMFake's ``rows`` as the JSON Lines of an export: each record's id and text, and with
    ``outlet_field`` ("dataset" for an article, "generator" for a rewrite) that value in a
    ``source`` field, its publisher."""
    for r in rows:
        outlet = {"source": r.get(outlet_field)} if outlet_field is not None else {}
        yield json.dumps({"id": r["id"], "text": r["text"], **outlet}) + "\n"


def _llmfake_through_ingest(paths: list[Path], corpus: tuple[list[dict[str, Any]], list[dict[str, Any]]]) -> dict[str, Any]:
    """LLMFake's rewrites (``corpus``: _llmfake_corpus's rows, read once by the caller) scored by
    the provenance table of an ``archive ingest`` of ``paths``."""
    sources, rewrites = corpus
    id_of, _, rows, timing = _ingested(paths)
    id_of, refused = _with_refused(id_of, [r["id"] for r in sources + rewrites])
    same_text: dict[str, set[int]] = defaultdict(set)
    for r in sources:
        same_text[" ".join(r["text"].split())].add(id_of[r["id"]])
    by_rewrite: dict[int, list[int]] = defaultdict(list)
    for derived, source, relation in rows:
        if relation in DERIVATIONS:
            by_rewrite[derived].append(source)
    text_of = {r["id"]: " ".join(r["text"].split()) for r in sources}
    per_task: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rewrites:
        src = id_of[r["source_id"]]
        _count(per_task[r["task"]], by_rewrite.get(id_of[r["id"]], []), src, same_text[text_of[r["source_id"]]])
    return {"timing": timing, "not_ingested": refused, **_by_group(per_task, "")}


def _with_refused(id_of: dict[str, int], external_ids: list[str]) -> tuple[dict[str, int], list[str]]:
    """``id_of`` with a document id of its own, never stored, for each of ``external_ids`` the
    ingest refused (e.g. a "rewrite" that is nothing but an ad's iframe), and those records: each
    counts as a copy left without a link, or a source nothing can link to."""
    refused = sorted(ext for ext in set(external_ids) if ext not in id_of)
    return {**id_of, **{ext: -1 - k for k, ext in enumerate(refused)}}, refused


def _count(c: Counter[str], sources: list[int], src: int, same_story: set[int]) -> None:
    """Count one copy's links (``sources``) against its true source ``src`` (``same_story``: the
    sources that also count at story level)."""
    c["copies"] += 1
    c["links"] += len(sources)
    c["correct"] += sources.count(src)
    c["correct_story"] += sum(1 for s in sources if s in same_story)
    c["found"] += src in sources
    c["found_story"] += any(s in same_story for s in sources)


def _by_group(groups: dict[str, Counter[str]], prefix: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    total: Counter[str] = Counter()
    for name in sorted(groups):
        total.update(groups[name])
        out[f"{prefix}{name}"] = _pr(groups[name])
    out["all"] = _pr(total)
    return out


def _pr(c: Counter[str]) -> dict[str, Any]:
    return {
        "copies": c["copies"],
        "precision": round(c["correct"] / c["links"], 4) if c["links"] else None,
        "precision_story": round(c["correct_story"] / c["links"], 4) if c["links"] else None,
        "recall": round(c["found"] / c["copies"], 4) if c["copies"] else None,
        "recall_story": round(c["found_story"] / c["copies"], 4) if c["copies"] else None,
    }


def eval_llmfake() -> dict[str, Any]:
    return _evaluate(_llmfake_setting())


def eval_llmfake_no_outlets() -> dict[str, Any]:
    return _evaluate(_llmfake_setting(outlets=False))


# How many content farms llmfake_sites spreads LLMFake's rewrites over.
LLMFAKE_FARMS = 40


def eval_llmfake_sites() -> dict[str, Any]:
    """LLMFake's articles on their datasets' outlets, its rewrites on sites instead of their
    models' outlets: each on a site of its own, one page each (``scattered``: copies a
    fact-checker gathered from many small sites, none of which the archive can read), or spread
    over LLMFAKE_FARMS farms that each publish several models' texts (``farms``). The outlet rules
    read a site's style over its texts; these say how the links fare when sites say less."""
    corpus = _llmfake_corpus()  # (read once for both)
    sites: dict[str, Callable[[int], str]] = {"scattered": lambda doc_id: f"site-{doc_id}",
                                              "farms": lambda doc_id: f"farm-{doc_id % LLMFAKE_FARMS}"}
    out: dict[str, Any] = {}
    for name, site in sites.items():
        setting = _llmfake_setting(corpus=corpus)
        rewrites = range(100_000, 100_000 + len(corpus[1]))  # (their ids)
        setting.docs[:] = [replace(d, source=site(d.id)) if d.id in rewrites else d for d in setting.docs]
        report = _evaluate(setting)
        out[name] = {task: report[task] for task in ("paraphrase", "rewrite", "open_ended", "all") if task in report}
        out[name]["links_hash"] = report["timing"]["links_hash"]
    return out


def eval_llmfake_parts(seed: int = PARTS_SEED) -> dict[str, Any]:
    """LLMFake split at random into halves and into quarters by source (each source with its
    rewrites; ``random.Random(seed)``), each part linked as an archive of its own, with and
    without outlets: how much the figures move between parts of the corpus, as they may on a
    held-out part of it."""
    corpus = _llmfake_corpus()  # (read once for the 12 parts)
    ids = [r["id"] for r in corpus[0]]
    random.Random(seed).shuffle(ids)
    out: dict[str, Any] = {"seed": seed}
    for outlets in (True, False):
        for parts in (2, 4):
            scores = []
            for part in range(parts):
                setting = _llmfake_setting(outlets=outlets, kept=set(ids[part::parts]), corpus=corpus)
                report = _evaluate(setting)
                scores.append({"sources": sum(1 for d in setting.docs if d.id < 100_000),
                               "rewrites": report["all"]["copies"],
                               **{task: {k: report[task][k] for k in ("precision", "recall")}
                                  for task in ("paraphrase", "rewrite", "open_ended", "all")}})
            out[f"{'outlets' if outlets else 'no_outlets'}_{parts}_parts"] = scores
    return out


def eval_llmfake_orphans(seed: int = PARTS_SEED) -> dict[str, Any]:
    """LLMFake with outlets and every rewrite, but only half of the sources (``random.Random(seed)``
    halves of the source ids, each half left out in turn): a rewrite whose article is missing
    (an orphan) has no true source in the archive, so every link it gets to an article is wrong
    (a link to a sibling rewrite joins two texts made from one article). For each half: the
    orphans linked to an article or to another rewrite, and precision and recall over the
    rewrites whose article is there."""
    sources, rewrites = _llmfake_corpus()
    ids = [r["id"] for r in sources]
    random.Random(seed).shuffle(ids)
    sid = {r["id"]: k + 1 for k, r in enumerate(sources)}
    out: dict[str, Any] = {"seed": seed, "halves": []}
    for half in range(2):
        kept = set(ids[half::2])
        docs, rewrite_ids = _llmfake_docs([r for r in sources if r["id"] in kept], rewrites, sid, outlets=True)
        truth = {doc_id: (sid[r["source_id"]], r["source_id"] in kept) for doc_id, r in zip(rewrite_ids, rewrites)}
        result, _, _ = _run(docs)
        sources_of: dict[int, list[int]] = defaultdict(list)
        for l in result.links:
            if l.relation in DERIVATIONS and l.derived_id in truth:
                sources_of[l.derived_id].append(l.source_id)
        present: Counter[str] = Counter()
        orphans: Counter[str] = Counter()
        for doc_id, (src, there) in truth.items():
            linked = sources_of.get(doc_id, [])
            if there:
                _count(present, linked, src, {src})
            else:
                orphans["rewrites"] += 1
                orphans["linked_to_an_article"] += any(x < 100_000 for x in linked)
                orphans["linked_to_a_rewrite"] += any(x >= 100_000 for x in linked)
        out["halves"].append({"sources": len(kept), **orphans, "present": _pr(present)})
    return out


# How many newsrooms eval_llmfake_articles spreads LLMFake's articles over (about 27 texts
# each: enough for each outlet's style to be read, see outlet_styles.OUTLET_MIN_TEXTS).
ARTICLE_OUTLETS = 20
# The copy-choice reasons (engine._why) that are not family rules: a pair's own reading, and
# the choice among an original's copies and re-issues.
_PAIR_CHOICES = {None, "best", "sibling_common", "version", "version_clock"}


def eval_llmfake_articles(seed: int = PARTS_SEED) -> dict[str, Any]:
    """LLMFake's articles alone, no rewrite among them: human reports, many on one celebrity or
    one claim. ``outlets``: each on one of ARTICLE_OUTLETS newsrooms at random
    (``random.Random(seed)``), as an archive of many sites' pages; ``no_outlets``: none has
    one. Counts the derivation links between texts that are not identical (LLMFake holds some
    articles twice), and how many the family rules made: a family rule's link between two of
    these articles is always wrong (the few pair links may be real reuse: gossip sites quote
    each other's scoops)."""
    sources = _load(DATA / "llmfake" / "sources.jsonl.gz")
    outlet_of = random.Random(seed)
    outlets = [f"newsroom-{outlet_of.randrange(ARTICLE_OUTLETS)}" for _ in sources]
    out: dict[str, Any] = {"seed": seed}
    for name, named in (("outlets", True), ("no_outlets", False)):
        docs = [DocInput(k + 1, r["text"], None, None, outlets[k] if named else None, None)
                for k, r in enumerate(sources)]
        text = {d.id: " ".join(d.text.split()) for d in docs}
        result, index, timing = _run(docs)
        links = [l for l in result.links if l.relation in DERIVATIONS and text[l.derived_id] != text[l.source_id]]
        by_rules = [l for l in links if index._why.get(l.derived_id) not in _PAIR_CHOICES]
        out[name] = {"links_hash": timing["links_hash"], "derivation_links": len(links),
                     "by_family_rules": len(by_rules),
                     "relations": dict(Counter(l.relation for l in links)),
                     "examples": [{"derived": l.derived_id, "source": l.source_id, "relation": l.relation,
                                   "score": l.score, "rule": index._why.get(l.derived_id)} for l in links[:6]]}
    return out


def _llmfake_corpus() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """LLMFake's (sources, rewrites) rows, as read from the data folder."""
    return _load(DATA / "llmfake" / "sources.jsonl.gz"), _load(DATA / "llmfake" / "rewrites.jsonl.gz")


def _llmfake_setting(offset: int = 0, outlets: bool = True, kept: set[str] | None = None,
                     corpus: tuple[list[dict[str, Any]], list[dict[str, Any]]] | None = None) -> _Setting:
    """LLMFake's sources and rewrites; every document id moved up by ``offset``. With
    ``outlets``, each source's dataset and each rewrite's model stand as its outlet (a site
    publishing one model's rewrites); without, no text has one, as in an archive whose files
    name no publisher (llmfake_ingest's). ``kept``: only these sources (by id) and their
    rewrites. ``corpus``: the rows of _llmfake_corpus, when the caller has read them."""
    all_sources, all_rewrites = corpus or _llmfake_corpus()
    sources = [r for r in all_sources if kept is None or r["id"] in kept]
    rewrites = [r for r in all_rewrites if kept is None or r["source_id"] in kept]
    sid = {r["id"]: offset + k + 1 for k, r in enumerate(sources)}
    _require_sources(rewrites, sid, "llmfake/rewrites.jsonl.gz", "llmfake/sources.jsonl.gz")
    docs, rewrite_ids = _llmfake_docs(sources, rewrites, sid, outlets, offset)
    truth = {doc_id: (sid[r["source_id"]], r["task"], r["generator"]) for doc_id, r in zip(rewrite_ids, rewrites)}
    originals = docs[: len(sources)]
    return _Setting(docs, lambda result, index, timing: _score_llmfake(result, index, timing, originals, truth))


def _llmfake_docs(sources: list[dict[str, Any]], rewrites: list[dict[str, Any]], sid: dict[str, int],
                  outlets: bool, offset: int = 0) -> tuple[list[DocInput], list[int]]:
    """The documents of LLMFake's ``sources`` (ids from ``sid``) then ``rewrites`` (ids from
    ``offset`` + 100,000 on), and the rewrites' ids. With ``outlets``, each source's dataset and
    each rewrite's model stand as its outlet (a site publishing one model's rewrites)."""
    docs = [DocInput(sid[r["id"]], r["text"], None, None, r.get("dataset") if outlets else None, None)
            for r in sources]
    rewrite_ids = [offset + 100_000 + k for k in range(len(rewrites))]
    docs += [DocInput(doc_id, r["text"], None, None, r["generator"] if outlets else None, None)
             for doc_id, r in zip(rewrite_ids, rewrites)]
    return docs, rewrite_ids


def _score_llmfake(result: Any, index: ProvenanceIndex, timing: dict[str, Any], sources: list[DocInput],
                   truth: dict[int, tuple[int, str, str]]) -> dict[str, Any]:
    links_from: dict[int, list[Any]] = defaultdict(list)
    for l in result.links:
        if l.relation in DERIVATIONS:
            links_from[l.derived_id].append(l)
    # LLMFake holds some articles under several ids: "_story" here also accepts a source whose
    # text is identical to the true one (nothing in the texts tells them apart).
    same_text: dict[str, set[int]] = defaultdict(set)
    for d in sources:
        same_text[" ".join(d.text.split())].add(d.id)
    twins_of = {d.id: same_text[" ".join(d.text.split())] for d in sources}
    per_task: dict[str, Counter[str]] = defaultdict(Counter)
    wrong_examples = []
    for doc_id, (src, task, gen) in truth.items():
        c = per_task[task]
        links = links_from.get(doc_id, [])
        _count(c, [l.source_id for l in links], src, twins_of[src])
        c["reversed"] += any(l.source_id == doc_id for l in result.links if l.derived_id == src and l.relation in DERIVATIONS)
        c["to_sibling"] += sum(1 for l in links if l.source_id in truth)
        if not any(l.source_id == src for l in links) and len(wrong_examples) < 8:
            wrong_examples.append({"rewrite": doc_id, "task": task, "source": src,
                                   "links": [(l.source_id, l.relation, l.score, l.direction_confidence) for l in links]})
    misses = _llm_misses(index, links_from, truth, twins_of)
    source_ids = {d.id for d in sources}
    src_links = [l for l in result.links if l.relation in DERIVATIONS and l.derived_id in source_ids]
    out: dict[str, Any] = {"timing": timing}
    total: Counter[str] = Counter()
    for task in sorted(per_task):
        c = per_task[task]
        total.update(c)
        out[task] = {**_pr(c), "reversed": c["reversed"], "links_to_sibling": c["to_sibling"]}
    out["all"] = {**_pr(total), "reversed": total["reversed"], "links_to_sibling": total["to_sibling"]}
    out["derivation_links_from_sources"] = len(src_links)
    out["why_missed"] = misses
    out["misses"] = wrong_examples
    return out


def _llm_misses(index: ProvenanceIndex, links_from: dict[int, list[Any]], truth: dict[int, tuple[int, str, str]],
                twins_of: dict[int, set[int]]) -> dict[str, dict[str, int]]:
    """Per task, why each rewrite lacks its true source link: linked elsewhere (to a sibling
    rewrite, another rewrite, a source with the same text (``twins_of``: LLMFake holds a few such
    duplicates, nothing tells them apart) or another source), or unlinked with the source not
    among its candidates, a candidate not aligned, aligned without a relation, or paired (by
    relation) but not chosen."""
    ranked = index.candidates.neighbours(sorted(truth))
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for doc_id, (src, task, _) in sorted(truth.items()):
        links = links_from.get(doc_id, [])
        if any(l.source_id == src for l in links):
            continue
        key = (min(doc_id, src), max(doc_id, src))
        if links:
            other = links[0].source_id
            why = ("linked_to_sibling" if truth.get(other, (None,))[0] == src
                   else "linked_to_other_rewrite" if other in truth
                   else "linked_to_identical_source" if other in twins_of[src]
                   else "linked_to_other_source")
        elif src not in {o for o, _ in ranked[doc_id]}:
            why = "source_not_a_candidate"
        elif key not in index.features:
            why = "candidate_not_aligned"
        elif key not in index.pairs:
            why = "aligned_no_relation"
        else:
            why = f"paired_{index.pairs[key].decision.relation}_not_chosen"
        out[task][why] += 1
    return {task: dict(c.most_common()) for task, c in sorted(out.items())}


def eval_clough() -> dict[str, Any]:
    return _evaluate(_clough_setting())


def _clough_setting(offset: int = 0) -> _Setting:
    """Clough & Stevenson's sources and answers; every document id moved up by ``offset``."""
    folder = DATA / "clough_stevenson"
    tasks = "abcde"
    docs = [DocInput(offset + k + 1, (folder / f"orig_task{t}.txt").read_text(encoding="utf-8", errors="replace"))
            for k, t in enumerate(tasks)]
    labels: dict[int, tuple[str, int, str]] = {}
    with open(folder / "file_information.csv", encoding="utf-8") as fh:
        for k, row in enumerate(csv.DictReader(fh)):
            if row["Category"] == "orig":  # the sources themselves, already added above
                continue
            doc_id = offset + 100 + k
            labels[doc_id] = (row["File"], offset + tasks.index(row["Task"]) + 1, row["Category"])
            text = (folder / row["File"]).read_text(encoding="utf-8", errors="replace")
            docs.append(DocInput(doc_id, text))
    return _Setting(docs, lambda result, index, timing: _score_clough(result, timing, labels))


def _score_clough(result: Any, timing: dict[str, Any], labels: dict[int, tuple[str, int, str]]) -> dict[str, Any]:
    per_cat: dict[str, Counter[str]] = defaultdict(Counter)
    errors = []
    for doc_id, (name, src, cat) in labels.items():
        linked = {l.source_id: l.relation for l in result.links if l.derived_id == doc_id and l.relation in DERIVATIONS}
        reversed_ = any(l.source_id == doc_id and l.derived_id == src for l in result.links if l.relation in DERIVATIONS)
        if cat == "non":
            ok = src not in linked and not reversed_
        else:
            ok = src in linked and all(s == src for s in linked)
        per_cat[cat]["n"] += 1
        per_cat[cat]["ok"] += ok
        if not ok:
            errors.append({"file": name, "category": cat, "linked": linked, "reversed": reversed_})
    n = sum(c["n"] for c in per_cat.values())
    ok = sum(c["ok"] for c in per_cat.values())
    return {"timing": timing, "accuracy": round(ok / n, 4),
            **{cat: round(c["ok"] / c["n"], 4) for cat, c in sorted(per_cat.items())}, "errors": errors}


def eval_seeds() -> dict[str, Any]:
    return _evaluate(_seeds_setting())


def _seeds_setting(offset: int = 0) -> _Setting:
    """The two seed files, as documents ``offset`` and ``offset + 1`` (reported as 0 and 1)."""
    files = sorted(SEEDS.glob("*.txt"))
    docs = [DocInput(offset + k, f.read_text(encoding="utf-8")) for k, f in enumerate(files)]
    return _Setting(docs, lambda result, index, timing: _score_seeds(result, timing, offset, len(docs)))


def _score_seeds(result: Any, timing: dict[str, Any], offset: int, n: int) -> dict[str, Any]:
    ours = range(offset, offset + n)
    return {
        "timing": timing,
        "links": [{"derived": l.derived_id - offset, "source": l.source_id - offset, "relation": l.relation,
                   "score": l.score, "direction_confidence": l.direction_confidence,
                   "direction": [{**signal, "source": signal["source"] - offset} for signal in l.evidence["direction"]]}
                  for l in result.links if l.derived_id in ours or l.source_id in ours],
        "flags": {str(k - offset): v for k, v in result.flags.items() if k in ours},
        "artefacts": {str(k - offset): [m["phrase"] for m in v.get("spinner_artefact", [])]
                      for k, v in result.doc_evidence.items() if k in ours},
        "attributions": [{"doc": a.doc_id - offset, "outlet": a.outlet, "phrase": a.phrase}
                         for a in result.attributions if a.doc_id in ours],
    }


def eval_reuters() -> dict[str, Any]:
    docs, _ = reuters_docs()
    by_id = {d.id: d for d in docs}
    result, index, timing = _run(docs)
    rel = Counter(l.relation for l in result.links)
    examples: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for l in result.links:
        if len(examples[l.relation]) < 4:
            examples[l.relation].append({
                "derived": l.derived_id, "source": l.source_id, "score": l.score,
                "direction_confidence": l.direction_confidence,
                "titles": [by_id[l.derived_id].title, by_id[l.source_id].title],
                "reasons": l.evidence["reasons"], "number_conflicts": l.evidence["number_conflicts"][:3],
            })
    sizes = Counter(Counter(result.story_of.values()).values())
    return {"timing": timing, "relations": dict(rel), "story_size_histogram": {str(k): v for k, v in sorted(sizes.items())},
            "examples": examples}


# How many sites eval_reuters_outlets spreads Reuters over.
REUTERS_OUTLETS = 50


def eval_reuters_outlets(seed: int = PARTS_SEED) -> dict[str, Any]:
    """All of Reuters, each story on one of REUTERS_OUTLETS sites at random (``random.Random(seed)``):
    an archive of many newsrooms' reports, where a wire's follow-ups on one company or one
    negotiation land on different sites. Reuters alone, with its one outlet, gets no `rewrite`
    and no `spun` link: here a rewrite link joins two reports (a follow-up and its predecessor),
    a spun one mostly two versions of one story that the wire reworded (near copies within one
    outlet), some a template's paragraphs; its re-issues still come out as duplicates and near
    copies."""
    docs, _ = reuters_docs()
    site_of = random.Random(seed)
    docs = [replace(d, source=f"site-{site_of.randrange(REUTERS_OUTLETS)}") for d in docs]
    by_id = {d.id: d for d in docs}
    result, index, timing = _run(docs)
    reworded = [l for l in result.links if l.relation in ("rewrite", "spun")]
    return {"seed": seed, "timing": timing, "relations": dict(Counter(l.relation for l in result.links)),
            "rewrite_or_spun_links": len(reworded),
            "examples": [{"derived": l.derived_id, "source": l.source_id, "relation": l.relation, "score": l.score,
                          "titles": [by_id[l.derived_id].title, by_id[l.source_id].title],
                          "reasons": l.evidence["reasons"]} for l in reworded[:6]]}


# Disjoint id ranges for the settings of eval_mixed (Reuters ids run to 21,578; copies, rewrites
# and answers start at 100,000 above their setting's offset).
MIXED_OFFSETS = {"spun": 0, "llmfake": 1_000_000, "clough": 2_000_000, "seeds": 3_000_000}
# What each setting's report keeps in the mixed one (the rest is in its own setting).
MIXED_KEEP = {"spun": ["all", "copies_in_wrong_story", "reuters_derivation_links", "reuters_derived_from_copies",
                       "reuters_flagged_spun"],
              "llmfake": ["all", "paraphrase", "rewrite", "open_ended", "derivation_links_from_sources"],
              "clough": ["accuracy", "cut", "light", "heavy", "non"],
              "seeds": ["links", "flags", "attributions"]}


def eval_mixed() -> dict[str, Any]:
    """spun (with all of Reuters), llmfake, clough and the seeds in one archive, as a user's
    archive mixes kinds: each scored as in its own setting, and every link joining two settings'
    documents counted (none is right: the corpora are unrelated). Linking depends on the whole
    archive (word rarity, nearest texts), so this shows what each setting's figures owe to being
    alone."""
    settings = {"spun": _spun_setting, "llmfake": _llmfake_setting, "clough": _clough_setting,
                "seeds": _seeds_setting}
    built = {name: make(MIXED_OFFSETS[name]) for name, make in settings.items()}
    result, index, timing = _run([d for setting in built.values() for d in setting.docs])
    setting_of = {d.id: name for name, setting in built.items() for d in setting.docs}
    across = [l for l in result.links if setting_of[l.derived_id] != setting_of[l.source_id]]
    out: dict[str, Any] = {"timing": timing}
    for name, setting in built.items():
        report = setting.score(result, index, timing)
        out[name] = {key: report[key] for key in MIXED_KEEP[name] if key in report}
    out["links_across_settings"] = Counter(f"{setting_of[l.derived_id]} -> {setting_of[l.source_id]}: {l.relation}"
                                           for l in across)
    out["links_across_settings_examples"] = [
        {"derived": l.derived_id, "source": l.source_id, "relation": l.relation, "score": l.score,
         "reason": l.evidence["reasons"][-1]} for l in across[:5]]
    return out


SETTINGS = {"spun": eval_spun, "llmfake": eval_llmfake, "llmfake_no_outlets": eval_llmfake_no_outlets,
            "llmfake_parts": eval_llmfake_parts, "llmfake_orphans": eval_llmfake_orphans,
            "llmfake_sites": eval_llmfake_sites,
            "llmfake_articles": eval_llmfake_articles, "clough": eval_clough, "seeds": eval_seeds, "reuters": eval_reuters,
            "reuters_outlets": eval_reuters_outlets,
            "spun_ingest": eval_spun_ingest, "llmfake_ingest": eval_llmfake_ingest,
            "llmfake_ingest_outlets": eval_llmfake_ingest_outlets, "mixed": eval_mixed, "pages_mixed": eval_pages_mixed}
# The corpora each setting reads (the seeds are in the repository).
NEEDS = {"spun": ["reuters21578/reuters21578.jsonl.gz", "spun_dev/spun.jsonl.gz"],
         "llmfake": ["llmfake/sources.jsonl.gz", "llmfake/rewrites.jsonl.gz"],
         "llmfake_no_outlets": ["llmfake/sources.jsonl.gz", "llmfake/rewrites.jsonl.gz"],
         "llmfake_parts": ["llmfake/sources.jsonl.gz", "llmfake/rewrites.jsonl.gz"],
         "llmfake_orphans": ["llmfake/sources.jsonl.gz", "llmfake/rewrites.jsonl.gz"],
         "llmfake_sites": ["llmfake/sources.jsonl.gz", "llmfake/rewrites.jsonl.gz"],
         "llmfake_articles": ["llmfake/sources.jsonl.gz"],
         "clough": ["clough_stevenson/file_information.csv"], "seeds": [],
         "reuters": ["reuters21578/reuters21578.jsonl.gz"],
         "reuters_outlets": ["reuters21578/reuters21578.jsonl.gz"],
         "spun_ingest": ["reuters21578/reuters21578.jsonl.gz", "spun_dev/spun.jsonl.gz"],
         "llmfake_ingest": ["llmfake/sources.jsonl.gz", "llmfake/rewrites.jsonl.gz"],
         "llmfake_ingest_outlets": ["llmfake/sources.jsonl.gz", "llmfake/rewrites.jsonl.gz"],
         "pages_mixed": ["html_pages/pages", "reuters21578/reuters21578.jsonl.gz", "llmfake/sources.jsonl.gz",
                         "llmfake/rewrites.jsonl.gz"],
         "mixed": ["reuters21578/reuters21578.jsonl.gz", "spun_dev/spun.jsonl.gz", "llmfake/sources.jsonl.gz",
                   "llmfake/rewrites.jsonl.gz", "clough_stevenson/file_information.csv"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("settings", nargs="*", choices=[[], *SETTINGS], default=[])
    parser.add_argument("--json", type=Path, help="also write the metrics here")
    parser.add_argument("--parts-seed", type=int, default=PARTS_SEED,
                        help=f"the random split of llmfake_parts (default {PARTS_SEED})")
    args = parser.parse_args()
    runners = {**SETTINGS, "llmfake_parts": lambda: eval_llmfake_parts(args.parts_seed)}
    chosen = args.settings or list(SETTINGS)
    if any(NEEDS[name] for name in chosen):
        require_data(*(DATA / path for name in chosen for path in NEEDS[name]))
    report: dict[str, Any] = {}
    for name in chosen:
        t = time.perf_counter()
        report[name] = runners[name]()
        report[name]["wall_s"] = round(time.perf_counter() - t, 2)
        report[name]["peak_rss_mb"] = round(_rss_mb(), 1)
        print(f"== {name}")
        print(json.dumps(report[name], indent=1, default=str)[:6000])
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, default=str))


if __name__ == "__main__":
    main()
