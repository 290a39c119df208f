"""The provenance workflow: fingerprint -> candidates -> pair features -> decisions -> links.

:class:`ProvenanceIndex` holds the archive's token streams, candidate index and the features of
every aligned pair; :func:`build` is one :meth:`ProvenanceIndex.update` over the whole archive
followed by :meth:`ProvenanceIndex.result`. The choice of one source per document, where
families of copies and rewrites decide beyond their pairs, is in families.py (a mixin of
ProvenanceIndex, built on the opening rules of openings.py, the outlet rule of outlet_rule.py
and the copy rules of copy_families.py); whether a pair's leads report one event is in events.py
(another mixin); the method's parameters, with their dev evidence, are in params.py.

build() versus successive update()s. An update aligns each new document with its candidates
(top ``TOP_K`` by cosine, gated by ``ALIGN_*``) among all documents indexed so far, and stores
the pair features, which depend only on the two texts. result() then re-decides every stored
pair with the archive's current cosines and word frequencies, and re-chooses directions and
parents, so a later, earlier-dated original takes over its copies. Hence build() and a series
of update()s give the same links whenever they aligned the same pairs. They can differ only
when a pair is aligned by one and not the other: (1) in build an old document X may rank the
new document N in X's own top-k although X is not in N's top-k (an update only looks from N);
(2) the top-k and the alignment gates use IDF as of the update, which drifts as the archive
grows. (archive.provenance_store loads an update's neighbourhood with :func:`may_align`, so the
source-like candidate beyond a new document's aligned head (_source_like) is in it too.) Both
only matter near the gates (cosine just above ``ALIGN_MIN_COSINE``, rank at the edge of
``ALIGN_TOP``); a periodic build() (e.g. on METHOD_VERSION change) removes the drift.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

import numpy as np

from .align import Prepared, Substitution
from .attribution import Attribution
from .boilerplate import boilerplate_masks, spans_of, with_title_keys
from .candidates import CandidateIndex
from .carry import Carried
from .classify import FAMILY, Anchors, Decision, PairFeatures, classify, different_story, pair_features
from .clusters import (TEMPLATE_CHECKED, Lead, another_day, figures_changed, same_figures_as_substitutions, stories,
                       typographic_edits_as_matches)
from .dates import seconds_later
from .direction import DocTraits, direction
from .events import EventTests
from .families import FamilyRules
from .features import CAP, NUM, STOP, Tokens, idf
from .fingerprint import Fingerprint, fingerprint_text
from .model import DERIVATIONS, DocInput, Link, ProvenanceResult
from archive.parallel import map_forked, map_shares_forked
from .sets import in_sorted, shares_in, weighted_sum_in  # numpy's set operations, same results, cheaper
from .style import Marker, llm_word_counts, own_llm_word_rates
from .telltales import read_telltales
from .pairs import Oriented, PairRecord
from .params import (AI_REWRITE_DENSITY, ALIGN_MIN_COSINE, ALIGN_SOURCE_MIN_COSINE, ALIGN_SOURCE_MIN_PREFERENCE,
                     ALIGN_TOP, ALIGN_WIDE_MIN_COSINE, MAX_INHERITED_SHARE, MIN_ARTEFACT_KINDS, MIN_EDIT_TERMS,
                     MIN_RESTORED_SHARE, OPENING_ALIGN_COVER, OPENING_FAMILY_COVER, OPENING_TERMS,
                     OUTLET_REISSUE_MAX_DAYS, REISSUE_TITLE, ROOT_AI_WEIGHT, ROOT_BURST_WEIGHT, ROOT_LLM_WORD_WEIGHT,
                     ROOT_MIN_CONTAINMENT, ROOT_MIN_NAMES, ROOT_MIN_PREFERENCE, ROOT_NAME_WEIGHT, SIBLING_AI_DENSITY,
                     SIBLING_AI_GAP, SIBLING_BURST_MARGIN, SIBLING_LLM_WORDS, SIBLING_LLM_WORD_GAP)
from .outlet_styles import OutletStyle, ai_density, is_llm_styled
from .outlets import outlet_key

METHOD_VERSION = "2026.12-97"

# How a derived text's source was chosen, when not simply as its closest copy-like candidate.
_ROOT_NOTE = "family root: reads as the source of this text and of its closest texts (round robin of source preferences)"
_MODELS_PAIR_NOTE = ("both from outlets whose texts read as a language model's: two rewrites of one article, "
                     "far likelier than a rewrite of a rewrite, so neither is taken for the other's source")
_NEWSROOM_PAIR_NOTE = ("reworded, but both from newsrooms that write alike: two reports of the story, "
                       "as likely as a rewrite, so neither is taken for the other's source")
# Why a copy-like pair is no link, when the choice of sources took another source for the text.
_CLOSER_SOURCE_NOTE = "copy-like, but another document is a closer source of both"
# ... when the text has no source at all: its candidate read as LLM-written as itself, which a
# sibling rewrite does (families._choose_parents), or the family's rules took the link back.
_SIBLING_LIKE_NOTE = ("reworded, but the other text reads at least as LLM-written as this one: as likely "
                      "a sibling rewrite or another report as its source, so not taken for it")
_TAKEN_BACK_NOTE = "copy-like, but the family around them reads as siblings, neither the other's source"


class _Planned(NamedTuple):
    """A decided pair's link as result() plans it, before its evidence is built. ``one_story``:
    a related link that stands whether or not the two leads report one event, because the
    choice of sources already knows the texts tell one story (two models' rewrites of one
    article, _models_pairs)."""

    key: tuple[int, int]
    relation: str
    note: str | None
    one_story: bool = False

    @property
    def needs_one_event(self) -> bool:
        """Whether the link stands only if the two leads report one event (a related link not
        known otherwise to tell one story)."""
        return self.relation == "related" and not self.one_story


_WHY_NOTES = {
    "root_parentless": _ROOT_NOTE,
    "root_repoint1": _ROOT_NOTE,
    "root_repoint2": _ROOT_NOTE,
    "sibling_source": "the closer candidate has no source of its own but reads as a rewrite of this source, as texts like it are; two rewrites of one article are likelier than a rewrite of a rewrite",
    "chain_source": "the closer candidate is itself a rewrite of this source; two rewrites of one article are likelier than a rewrite of a rewrite",
    "family_consensus": "texts paired with this one are rewrites of this source, which reads as its source too: one more rewrite of the same article",
    "neighbour_consensus": "its nearest texts are rewrites of this source, which reads as its source too: one more rewrite of the same article",
    "nearest_original": "the nearest text (by cosine) that is an original (no source of its own, the source of other rewrites) and reads as this text's source: the closer texts are sibling rewrites",
    "opening_source": "this text holds the opening of this original, which reads as its source, and little of the closer candidate's: rewrites start from their article's opening",
    "opening_original": "this text holds the opening of this original more than of any other original, and it reads as its source: rewrites start from their article's opening, however little else they keep",
    "version": "one of several issues of this story (re-issues), the one whose own details (spelling, case, line layout, headline words) this text keeps most",
    "version_clock": "one of several issues of this story that no detail of their texts tells apart, the one whose clock time (minutes and seconds) this text's time stamp keeps",
    "outlet_original": "the nearest text from an outlet whose texts read, as a whole, far more human-written than this text's outlet's (a newsroom beside a model's outlet), with no other such text near",
    "family_hub": "the closer candidate has no source of its own, while this text reads more as the source and already sources as many rewrites or more: the article the rewrites share",
}


_F = TypeVar("_F", bound=Callable[..., Any])


def gc_paused(fn: _F) -> _F:
    """Run ``fn`` with the cyclic garbage collector paused (resumed after, if it was on).

    Linking allocates millions of small objects (pair features, alignments, decisions) that form
    no reference cycles, so the collector finds nothing, yet each of its full passes walks every
    object the process holds: about a tenth of the parent's CPU on Reuters, and in forked
    workers it writes to the header of every inherited object, copying pages they would share.
    Reference counting still frees everything that is dropped.
    """
    @functools.wraps(fn)
    def paused(*args: Any, **kwargs: Any) -> Any:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()
    return paused  # type: ignore[return-value]


def worth_aligning(ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """The head of a document's candidate list (best first) that gets aligned with it."""
    out = []
    for rank, (other, cosine) in enumerate(ranked):
        if cosine < (ALIGN_MIN_COSINE if rank < ALIGN_TOP else ALIGN_WIDE_MIN_COSINE):
            break
        out.append((other, cosine))
    return out


def may_align(ranked: list[tuple[int, float]]) -> list[int]:
    """Every candidate that :meth:`ProvenanceIndex.update` may align with a document: the head
    (:func:`worth_aligning`) and the rest of the list down to the source-like cut-off."""
    floor = min(ALIGN_MIN_COSINE, ALIGN_SOURCE_MIN_COSINE)
    head = worth_aligning(ranked)
    return [other for other, _ in head] + [other for other, cosine in ranked[len(head):] if cosine >= floor]


# A related pair's decision: (cosine, decision, whether the pair is one family only by
# containment, orientation unless it is such a family pair); unrelated pairs have None.
_PairDecision = tuple[float, Decision, bool, "Oriented | None"]


class ProvenanceIndex(FamilyRules, EventTests):
    """Everything needed to link new documents against the archive (memory linear in it)."""

    def __init__(self, background: CandidateIndex | None = None, carried: Carried | None = None,
                 outlet_styles: Mapping[str, OutletStyle] | None = None) -> None:
        """``background``: the whole archive's candidate index when this index holds only part of
        it (see archive.provenance_store.update); word frequencies are then the archive's.
        ``carried``: document analyses and pair features that earlier indexes of the same
        run computed from the same texts; this one takes them from there and adds its own.
        ``outlet_styles``: the archive's outlets' styles (outlet_styles.py) when this index holds
        only part of it; otherwise they are read from its own texts."""
        self.carried = carried
        self.outlet_styles = outlet_styles
        self.docs: dict[int, DocInput] = {}
        self.outlet: dict[int, str | None] = {}  # each document's outlet, normalised (see _same_outlet)
        self.tokens: dict[int, Tokens] = {}
        # A text with a site's boilerplate (boilerplate.py) is linked without it: its tokens
        # above leave those words out; its whole token stream is kept here, and the boilerplate's
        # character spans count as furniture (_furniture). Found from the archive as it is at
        # each update: the boilerplate the last update read is kept to tell when it changed.
        self.unmasked: dict[int, Tokens] = {}
        self.boilerplate_spans: dict[int, list[tuple[int, int]]] = {}
        self._boilerplate_read = np.zeros(0, dtype=np.int64)
        # Alignment tables, built on first use: each linking worker builds those of the pairs it
        # aligns, which costs less than sending them between processes.
        self.prepared: dict[int, Prepared] = {}
        self.body_terms: dict[int, np.ndarray] = {}
        self.opening: dict[int, np.ndarray] = {}  # see OPENING_TERMS
        self.anchors: dict[int, Anchors] = {}
        self.traits: dict[int, DocTraits] = {}
        # Each text's LLM-favoured words, read on first use: only the pairs where both texts use
        # some ask for them (see _own_llm_words).
        self._llm_word_counts: dict[int, Counter[str]] = {}
        self.markers: dict[int, list[Marker]] = {}
        self.cited: dict[int, list[Attribution]] = {}
        # Texts stored cut off inside a sentence: their copies may go on beyond their end.
        self.cut_off: dict[int, bool] = {}
        # Each document's distinct names and numbers in order of first mention (see _kept_span).
        self.details: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.candidates = CandidateIndex(background=background)
        # Every aligned pair's features; decisions are (re)made from them in result().
        self.features: dict[tuple[int, int], PairFeatures] = {}
        self.pairs: dict[tuple[int, int], PairRecord] = {}
        # Containment and idf weights, kept while the document frequencies hold.
        self._cont_cache: dict[tuple[int, int], float] = {}
        # The idf weights of a text's opening terms (which follow the archive, as _idf_cache).
        self._opening_cache: dict[int, np.ndarray] = {}
        self._idf_cache: dict[int, tuple[np.ndarray, float]] = {}
        self._weights_at = 0  # the archive size those three follow (see _follow_frequencies)
        # Leads and their protagonists, each text's rare names (archive frequencies) for one result().
        self._lead_cache: dict[int, tuple[Lead, np.ndarray]] = {}
        self._rare_cache: dict[int, np.ndarray] = {}
        # Each headline's token hashes (see _named_in; a few words a text; a document is never
        # added twice).
        self._title_hashes: dict[int, np.ndarray] = {}
        # (pair count, _closest_paired's map) for one result().
        self._closest: tuple[int, dict[int, list[int]]] | None = None
        # (pair count, _could_source's answers) for one result(): the family rules ask again for
        # the same members (_family_roots runs twice, and a text is in many families).
        self._could: tuple[int, dict[tuple[int, int], bool]] | None = None
        # Candidate lists searched by the family rules, per list length, for one result() (the
        # candidate index does not change meanwhile; the rules search the same texts each round).
        self._near: dict[int, dict[int, list[tuple[int, float]]]] = {}
        # (originals, each text's original by opening (openings._best_held)) for one result(): the
        # consensus rounds ask again for mostly the same texts and originals.
        self._by_opening: tuple[tuple[int, ...], dict[int, int | None]] | None = None
        # Holds the candidate index's search open from an update's candidate search (or else the
        # first search of the choice of sources) until result() has chosen sources, so all of
        # them share one (see _hold_search, _neighbours).
        self._search_scope: ExitStack | None = None
        self._why: dict[int, str] = {}
        # Pairs of two models' texts that the choice of sources took back as a link: shown as
        # related (the same story), neither the other's source (outlet_rule._outlet_originals).
        self._models_pairs: set[tuple[int, int]] = set()
        # Pairs read as a rewrite between two newsrooms that write alike, the derived text bringing
        # facts of its own: related when their leads report one event (families._choose_parents).
        self._newsroom_pairs: set[tuple[int, int]] = set()
        # Rewrite pairs whose source reads at least as LLM-written as the derived text, which the
        # choice of sources takes for no source (families._choose_parents).
        self._sibling_like_pairs: set[tuple[int, int]] = set()
        # The outlets' styles read from this index's own texts, with how many texts it held then
        # (outlet_rule._outlet_styles).
        self._styles_read: tuple[int, dict[str, OutletStyle]] | None = None
        # The rewrites each text sources by the pairs' own evidence, as _choose_parents found them
        # before the family rules moved any (see _sources_by_pairs).
        self._pairwise_rewrites: dict[int, list[int]] = {}
        # Pairs that are one family only by containment (_family_by_containment), for one result().
        self._loose: set[tuple[int, int]] = set()
        # The pairs whose features carry their cosine in this index as it was at _cosines_at
        # documents: those the last updates aligned with candidates from its own search.
        self._current_cosines: set[tuple[int, int]] = set()
        self._cosines_at = -1

    def __len__(self) -> int:
        return len(self.docs)

    @gc_paused
    def update(self, docs: Iterable[DocInput], fingerprints: Mapping[int, Fingerprint] | None = None,
               ranked: Mapping[int, list[tuple[int, float]]] | None = None,
               pairs_with: set[int] | None = None) -> list[int]:
        """Add documents and align them with their candidates in the archive (including each
        other); returns the new ids in order. Call :meth:`result` for the links.

        ``ranked``: candidate lists (best first) that the caller searched in the whole archive's
        index, when this one holds a neighbourhood of it (archive.provenance_store). Then only the
        documents it names, added now or before, are aligned with candidates, chosen from those
        lists as from this index's own; the other documents are context: aligned only with the
        documents that name them. ``pairs_with``: of the pairs so chosen, only those with one of
        these documents are aligned. So an incremental update aligns (and decides) only the
        pairs whose links it may take."""
        self._release_search()  # (it searches the index as it was: documents come now)
        new = sorted(docs, key=lambda d: d.id)
        prints: dict[int, Fingerprint] = {}
        for doc in new:
            if doc.id in self.docs or doc.id in prints:
                raise ValueError(f"document {doc.id} is already in the provenance index")
            fp = fingerprints.get(doc.id) if fingerprints else None
            prints[doc.id] = fp or fingerprint_text(doc.text)
        tokens_of = {doc_id: fp.tokens for doc_id, fp in prints.items()}
        # Per-document analysis and pair alignment are pure and CPU-bound: both run on every core.
        carried = self.carried
        known = carried.analyses([d.id for d in new]) if carried is not None else {}
        unknown = [d for d in new if d.id not in known]
        # The candidate index needs only the tokens: built while the workers analyse.
        analysed = dict(zip((d.id for d in unknown), map_forked(
            lambda d: _analyse(d, prints[d.id]), unknown,
            meanwhile=lambda: self.candidates.add_many([(doc.id, tokens_of[doc.id]) for doc in new],
                                                       [with_title_keys(prints[doc.id].lines, doc.title) for doc in new]))))
        # With the new texts counted, the archive's boilerplate is known: a text holding some is
        # analysed and aligned without it (a carried analysis was made so already).
        boilerplate, holders = self.candidates.boilerplate(), self.candidates.boilerplate_holders()
        held = [doc for doc in new if doc.id in holders]
        masks = {doc.id: mask for doc, mask in zip(held, boilerplate_masks([(tokens_of[d.id], d.text) for d in held],
                                                                           boilerplate)) if mask is not None}
        analysed.update(self._analysed_without_boilerplate([d for d in unknown if d.id in masks], tokens_of, masks,
                                                           {d.id: prints[d.id].telltales for d in unknown if d.id in masks}))
        for doc in new:
            tokens = tokens_of[doc.id]
            if doc.id in masks:
                self.unmasked[doc.id] = tokens
                self.boilerplate_spans[doc.id] = spans_of(tokens, masks[doc.id], doc.text)
                tokens = tokens.where(~masks[doc.id])
            self._add(doc, tokens, known[doc.id] if doc.id in known else analysed[doc.id])
        self.candidates.search_without_boilerplate([(x, self.tokens[x]) for x in sorted(masks)])
        if carried is not None:
            carried.keep_analyses(analysed)
            carried.reused_analyses, carried.computed_analyses = len(known), len(analysed)
        new_ids = [d.id for d in new]
        moved, realign = self._follow_boilerplate(boilerplate, holders, set(new_ids))
        self._follow_frequencies()
        # Candidate search and the choice of candidates read the index only: on every core too,
        # sharing one inverted index built before the workers fork.
        if ranked is None:
            # (A text whose boilerplate changed is searched by its new row, as a build would.)
            planned = sorted(set(new_ids) | moved)
            self._prime_weights(self.docs)
            self._hold_search()
            plans = map_shares_forked(self._to_align, planned)
        else:
            planned = sorted(ranked)
            self._prime_weights({o for d in planned for o, _ in ranked[d]} | set(planned))
            plans = map_shares_forked(lambda ids: [self._plan(d, ranked[d], pairs_with) for d in ids], planned)
        todo: list[tuple[int, int, float]] = []
        seen: set[tuple[int, int]] = set()
        for doc_id, plan in zip(planned, plans):
            for other, cosine in plan:
                key = (min(doc_id, other), max(doc_id, other))
                if pairs_with is not None and doc_id not in pairs_with and other not in pairs_with:
                    continue
                if key not in self.features and key not in seen:
                    seen.add(key)
                    todo.append((key[0], key[1], cosine))
        for key, cosine in realign:
            if key not in seen:
                seen.add(key)
                todo.append((key[0], key[1], cosine))
        todo.sort()
        # A carried pair was aligned by an earlier index with another cosine: only that differs.
        kept = carried.pairs([(a, b) for a, b, _ in todo]) if carried is not None else {}
        known_pairs = {(a, b): kept[(a, b)].with_cosine(cosine) for a, b, cosine in todo if (a, b) in kept}
        unaligned = [t for t in todo if (t[0], t[1]) not in known_pairs]
        features = map_forked(lambda t: self._pair_features(t[0], t[1], t[2]), unaligned)
        aligned = {(a, b): feats for (a, b, _), feats in zip(unaligned, features)}
        # The alignment tables of this process's share (as large as the tokens they index) are
        # not needed once the pairs are aligned: dropped, not held through result() (a pair
        # aligned later builds the tables it needs again).
        self.prepared = {}
        for a, b, _ in todo:
            self.features[(a, b)] = known_pairs[(a, b)] if (a, b) in known_pairs else aligned[(a, b)]
        if carried is not None:
            carried.keep_pairs(aligned)
            carried.reused_pairs, carried.computed_pairs = len(known_pairs), len(aligned)
        if ranked is None and self.candidates.background is None:
            self._keep_cosines([(a, b) for a, b, _ in todo])
        return new_ids

    def _analysed_without_boilerplate(self, docs: list[DocInput], tokens_of: Mapping[int, Tokens],
                                      masks: Mapping[int, np.ndarray],
                                      told: Mapping[int, Any]) -> dict[int, "_DocAnalysis"]:
        """The analyses of ``docs`` made from their tokens outside their boilerplate (``masks``),
        with the telltales read from the whole text (its cruft lines, its style)."""
        if not docs:
            return {}

        def analyse(doc: DocInput) -> _DocAnalysis:
            tokens = tokens_of[doc.id]
            telltales = told.get(doc.id)
            if telltales is None:
                telltales = read_telltales(doc.text, tokens)
            return _analyse(doc, Fingerprint(tokens.where(~masks[doc.id]), len(doc.text), telltales))
        return dict(zip((d.id for d in docs), map_forked(analyse, docs)))

    def _follow_boilerplate(self, boilerplate: np.ndarray, holders: frozenset[int],
                            new: set[int]) -> tuple[set[int], list[tuple[tuple[int, int], float]]]:
        """When the archive's boilerplate changed since the last update (the texts added made a
        passage boilerplate, or one no longer), the texts held before whose boilerplate changed
        are analysed again, searched by their rows without it, and their aligned pairs dropped:
        returns those texts, and those pairs (with their cosines) to be aligned again, as a build
        of the whole archive at once would have aligned them."""
        changed_boilerplate = not np.array_equal(boilerplate, self._boilerplate_read)
        self._boilerplate_read = boilerplate
        if not changed_boilerplate:
            return set(), []
        changed = []
        before = sorted((holders | self.boilerplate_spans.keys()) & self.docs.keys() - new)
        held = [x for x in before if x in holders]
        masks_of = dict(zip(held, boilerplate_masks([(self.unmasked.get(x, self.tokens[x]), self.docs[x].text)
                                                     for x in held], boilerplate)))
        for x in before:
            whole = self.unmasked.get(x, self.tokens[x])
            mask = masks_of.get(x)
            spans = spans_of(whole, mask, self.docs[x].text) if mask is not None else []
            if spans != self.boilerplate_spans.get(x, []):
                changed.append((x, whole, mask, spans))
        if not changed:
            return set(), []
        docs = [self.docs[x] for x, *_ in changed]
        wholes = {x: whole for x, whole, *_ in changed}
        masks = {x: (mask if mask is not None else np.zeros(len(whole), dtype=bool)) for x, whole, mask, _ in changed}
        analysed = self._analysed_without_boilerplate(docs, wholes, masks, {})
        for doc, (x, whole, mask, spans) in zip(docs, changed):
            self.unmasked.pop(x, None)
            self.boilerplate_spans.pop(x, None)
            if mask is not None:
                self.unmasked[x], self.boilerplate_spans[x] = whole, spans
            self._add(doc, whole.where(~masks[x]), analysed[x])
            self.prepared.pop(x, None)
        self.candidates.search_without_boilerplate([(x, self.tokens[x] if mask is not None else None)
                                                    for x, _, mask, _ in changed])
        moved = {x for x, *_ in changed}
        realign = [(key, f.cosine) for key, f in self.features.items() if key[0] in moved or key[1] in moved]
        for key, _ in realign:
            del self.features[key]
        return moved, realign

    def _hold_search(self) -> None:
        """Prepare the candidate index's search and keep it until result() has chosen sources:
        the choice searches the same index (unchanged until documents are added), and preparing it
        again there (0.06-0.13 s on Reuters + spun) lengthened the longest serial stretch of
        result()."""
        self._release_search()
        self._search_scope = ExitStack()
        self._search_scope.enter_context(self.candidates.searching())

    def _release_search(self) -> None:
        if self._search_scope is not None:
            self._search_scope.close()
            self._search_scope = None

    def _keep_cosines(self, keys: list[tuple[int, int]]) -> None:
        """The pairs ``keys`` were just aligned with the cosines of this index's own search, over
        its own rows (see _cosines); those kept before hold only while no document was added since."""
        if self._cosines_at != self.candidates.archive_size:
            self._current_cosines = set()
            self._cosines_at = self.candidates.archive_size
        self._current_cosines.update(keys)

    def _cosines(self, keys: Sequence[tuple[int, int]]) -> list[float]:
        """Each pair's cosine in the index as it is: the one in its features when this index's
        search gave it (the same row product, rounded alike), else computed."""
        current = self._current_cosines if self._cosines_at == self.candidates.archive_size else set()
        stale = [key for key in keys if key not in current]
        computed = dict(zip(stale, self.candidates.pair_cosines([a for a, _ in stale], [b for _, b in stale]).tolist()))
        return [computed[key] if key in computed else self.features[key].cosine for key in keys]

    def _to_align(self, doc_ids: Sequence[int]) -> list[list[tuple[int, float]]]:
        """For each document, the candidates to align it with, best first: the head of its
        candidate list and, further down, the source-like candidate and the one whose opening it
        holds, if any (see _plan)."""
        neighbours = self.candidates.neighbours(list(doc_ids))
        return [self._plan(doc_id, neighbours[doc_id]) for doc_id in doc_ids]

    def _plan(self, doc_id: int, ranked: list[tuple[int, float]],
              pairs_with: set[int] | None = None) -> list[tuple[int, float]]:
        """The head of ``ranked``, its source-like candidate and the one whose opening the
        document holds (_opening_like), among the documents held here (a list searched in the
        whole archive names documents outside a neighbourhood too: the head is cut by rank in the
        whole list, as a whole build would cut it). When only pairs with ``pairs_with`` will be
        aligned, the two further down are looked for only if they can be one of them (the costly
        part: a preference per candidate)."""
        chosen = worth_aligning(ranked)
        rest = [(other, cosine) for other, cosine in ranked[len(chosen):] if other in self.docs]
        head = [(other, cosine) for other, cosine in chosen if other in self.docs]
        if pairs_with is not None and doc_id not in pairs_with and not any(o in pairs_with for o, _ in rest):
            return head
        chosen = head + self._source_like(doc_id, head, rest)
        return chosen + self._opening_like(doc_id, chosen, rest)

    def _opening_like(self, d: int, chosen: list[tuple[int, float]], rest: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """The candidate further down d's list, not chosen yet, whose opening d holds most (at
        least OPENING_ALIGN_COVER of it) and which reads as d's source (see OPENING_TERMS)."""
        taken = {other for other, _ in chosen}
        others = [(other, cosine) for other, cosine in rest if other not in taken]
        best: tuple[float, int, float] | None = None
        for (other, cosine), cover in zip(others, self._opening_covers([other for other, _ in others], d)):
            if cover >= OPENING_ALIGN_COVER and (best is None or cover > best[0]):
                parts = self._preference_parts(other, d)
                if (_preference_bound(parts) >= ALIGN_SOURCE_MIN_PREFERENCE
                        and _preference(parts, self._containment(other, d)) >= ALIGN_SOURCE_MIN_PREFERENCE):
                    best = (cover, other, cosine)
        return [] if best is None else [(best[1], best[2])]

    def _source_like(self, d: int, head: list[tuple[int, float]], rest: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """The candidate further down d's list that reads most as d's source (pairwise
        _source_preference: it holds more of d than d holds of it, d's names, and it reads more
        human-written), if it does more than every candidate in the aligned head and also reads as
        the source of the head's first. The source of a rewrite can rank behind its sibling
        rewrites by cosine: they share the wording and the details the LLMs added, and a long (or
        cut off) source shares a smaller part of its own terms with d."""
        best: tuple[float, int, float] | None = None
        for other, cosine in rest:
            if cosine < ALIGN_SOURCE_MIN_COSINE:
                break
            # (The bound and the preference share their parts: read once, as this runs for
            # every candidate down every document's list.)
            parts = self._preference_parts(other, d)
            if _preference_bound(parts) < ALIGN_SOURCE_MIN_PREFERENCE:
                continue
            pref = _preference(parts, self._containment(other, d))
            if pref >= ALIGN_SOURCE_MIN_PREFERENCE and (best is None or pref > best[0]):
                best = (pref, other, cosine)
        # (Cheapest tests first: this runs for every new document.)
        if best is None or (head and not self._reads_as_source_of_head(best[1], head[0][0])):
            return []
        # A head candidate that reads at least as much as d's source is aligned already.
        if any(self._source_preference(other, d) >= best[0] for other, _ in head):
            return []
        return [(best[1], best[2])]

    def _reads_as_source_of_head(self, c: int, h: int) -> bool:
        """c reads as the source of h, d's nearest text, too: more human-written by style, and
        preferred as h's source. Then h is likelier d's sibling than its source, and c worth
        aligning; otherwise c is just a longer text on the topic (most of them, in a news archive)."""
        return self._style_preference(c, h) > 0 and self._source_preference(c, h) >= ALIGN_SOURCE_MIN_PREFERENCE

    def _reads_as_source(self, m: int, x: int) -> bool:
        """m clearly reads as x's source: it holds more of x than x holds of m, and the pairwise
        source preference (containment, names, relative style) is at least ROOT_MIN_PREFERENCE."""
        return (self._containment(x, m) > self._containment(m, x)
                and self._source_preference(m, x) >= ROOT_MIN_PREFERENCE)

    def _leans_source(self, m: int, x: int) -> bool:
        """m reads rather as x's source than the reverse (both containment asymmetry and the
        overall source preference point that way, by any margin): enough when the family's links
        say so too (see _no_unsourced_sibling_sources)."""
        return self._containment(x, m) > self._containment(m, x) and self._source_preference(m, x) > 0

    def _style_preference(self, m: int, x: int) -> float:
        tm, tx = self.traits[m], self.traits[x]
        pref = 0.0
        if tm.burstiness and tx.burstiness:
            pref += ROOT_BURST_WEIGHT * (tm.burstiness - tx.burstiness)
        pref -= ROOT_LLM_WORD_WEIGHT * (tm.llm_words - tx.llm_words)
        pref -= ROOT_AI_WEIGHT * (self._ai_density(m) - self._ai_density(x))
        return pref

    def _pair_features(self, a: int, b: int, cosine: float) -> PairFeatures:
        """The aligned pair's features; number conflicts that give the same figures on both
        sides are substitutions (see clusters.same_figures_as_substitutions), and substitutions
        that change no letter or digit are matched text (clusters.typographic_edits_as_matches)."""
        f = pair_features(a, b, self._prepared(a), self._prepared(b), self.anchors[a], self.anchors[b], cosine)
        ta, tb = self.docs[a].text, self.docs[b].text
        al = typographic_edits_as_matches(
            same_figures_as_substitutions(f.alignment, ta, self.tokens[a], tb, self.tokens[b]), ta, self.tokens[a], tb,
            self.tokens[b])
        return f if al is f.alignment else dataclasses.replace(f, alignment=al)

    def _prepared(self, doc_id: int) -> Prepared:
        prepared = self.prepared.get(doc_id)
        if prepared is None:
            prepared = self.prepared[doc_id] = Prepared.of(self.tokens[doc_id])
        return prepared

    def _add(self, doc: DocInput, tokens: Tokens, analysis: "_DocAnalysis") -> None:
        self.docs[doc.id] = doc
        # Compared for every candidate pair: normalised once.
        self.outlet[doc.id] = outlet_key(doc.source)
        self.tokens[doc.id] = tokens
        self.anchors[doc.id] = analysis.anchors
        self.markers[doc.id] = analysis.markers
        self.cited[doc.id] = analysis.cited
        self.body_terms[doc.id] = analysis.body_terms
        self.opening[doc.id] = analysis.opening
        self.traits[doc.id] = analysis.traits
        self.cut_off[doc.id] = analysis.cut_off
        self.details[doc.id] = (analysis.detail_hashes, analysis.detail_is_number)

    # -- results ---------------------------------------------------------------------------

    def _freq(self, hashes: np.ndarray) -> np.ndarray:
        return self.candidates.df_of(hashes)

    def _orient(self, rec: PairRecord) -> Oriented:
        f = rec.features
        a, b = f.a, f.b
        p, signals, examples = direction(
            f, self.tokens[a], self.tokens[b], self.docs[a].text, self.docs[b].text,
            self.traits[a], self.traits[b], self._freq, self.candidates.archive_size,
            rewrite=rec.decision.relation not in ("duplicate", "near_copy", "spun"),
            llm_styled=(self._llm_styled(a), self._llm_styled(b)), own_llm_words=self._own_llm_words(a, b),
        )
        if p > 0.5 or (p == 0.5 and self._earlier(a, b)):
            return Oriented(a, b, p, tuple(signals), tuple((x, y, s) for x, y, s in examples))
        return Oriented(b, a, 1.0 - p, tuple(signals), tuple((y, x, "b" if s == "a" else "a") for x, y, s in examples))

    def _own_llm_words(self, a: int, b: int) -> tuple[float, float]:
        """a's and b's LLM-favoured word rates over the words the other lacks."""
        ra, rb = self.traits[a].llm_words, self.traits[b].llm_words
        if not (ra and rb):  # nothing shared
            return ra, rb
        return own_llm_word_rates(ra, self._llm_words_of(a), rb, self._llm_words_of(b))

    def _llm_words_of(self, doc_id: int) -> Counter[str]:
        counts = self._llm_word_counts.get(doc_id)
        if counts is None:
            counts = self._llm_word_counts[doc_id] = llm_word_counts(self.docs[doc_id].text)
        return counts

    def _source_preference(self, m: int, x: int) -> float:
        """> 0 when m looks like x's source rather than the reverse: m holds more of x's terms
        and names than x holds of m's (a source contains what each rewrite kept), and m reads
        more human-written (more varied sentence lengths, fewer LLM-favoured words and
        stock phrases). All relative, so no absolute style threshold is involved."""
        return _preference(self._preference_parts(m, x), self._containment(m, x))

    def _preference_parts(self, m: int, x: int) -> tuple[float, float, float]:
        """What _source_preference(m, x) sums besides how much of m x holds: how much of x m
        holds, the weighted names asymmetry and the style preference. With them alone,
        _preference_bound bounds the preference from above: the containment left out needs m's
        term weights, the costly part when most of a document's candidates are ruled out anyway."""
        return (self._containment(x, m), ROOT_NAME_WEIGHT * self._names_asymmetry(x, m),
                self._style_preference(m, x))

    def _names_asymmetry(self, x: int, m: int) -> float:
        """Share of x's names that m has minus the share of m's that x has (one intersection)."""
        names_x, names_m = self.anchors[x].names, self.anchors[m].names
        shared = len(names_x & names_m)
        return (shared / len(names_x) if names_x else 0.0) - (shared / len(names_m) if names_m else 0.0)

    def _opening_weights(self, m: int) -> np.ndarray:
        """The idf weights of m's opening terms (kept until the frequencies change)."""
        held = self._opening_cache.get(m)
        if held is None:
            held = self._opening_cache[m] = self._idf_weights(self.opening[m])
        return held

    def _idf_weights(self, hashes: np.ndarray) -> np.ndarray:
        """Idf of each term hash under the frequencies the index follows (the whole archive's
        with a background)."""
        return idf(self._freq(hashes), self.candidates.archive_size)

    def _prime_weights(self, doc_ids: Iterable[int]) -> None:
        """Fill the idf weights of the body terms and openings of ``doc_ids`` held here (see
        _idf_of, _opening_weights) in one search of the vocabulary, before the workers fork:
        looked up one text at a time they were a tenth of linking's CPU, and each forked phase
        looked up again what the last one's workers had."""
        held = [x for x in doc_ids if x in self.docs]
        bodies = [x for x in held if x not in self._idf_cache]
        openings = [x for x in held if x not in self._opening_cache]
        arrays = [self.body_terms[x] for x in bodies] + [self.opening[x] for x in openings]
        if not arrays:
            return
        weights = self._idf_weights(np.concatenate(arrays))
        ends = list(itertools.accumulate(a.shape[0] for a in arrays))
        pieces = [weights[lo:hi] for lo, hi in zip([0, *ends], ends)]  # (np.split: twice the time)
        for x, w in zip(bodies, pieces):
            self._idf_cache[x] = (w, float(w.sum()))
        for x, w in zip(openings, pieces[len(bodies):]):
            self._opening_cache[x] = w

    def _opening_cover(self, m: int, d: int) -> float:
        """Share of m's opening terms, weighted by idf, that d also has."""
        return self._opening_covers([m], d)[0]

    def _opening_covers(self, ms: list[int], d: int) -> list[float]:
        """_opening_cover of each of ``ms`` with d, in one search of d's terms."""
        return shares_in([self.opening[m] for m in ms], [self._opening_weights(m) for m in ms], self.body_terms[d])

    def _containment(self, x: int, m: int) -> float:
        """Share of x's distinct content terms, weighted by idf, that m also has."""
        key = (x, m)
        held = self._cont_cache.get(key)
        if held is None:
            w, total = self._idf_of(x)
            held = weighted_sum_in(self.body_terms[x], w, self.body_terms[m]) / total if total else 0.0
            self._cont_cache[key] = held
        return held

    def _idf_of(self, x: int) -> tuple[np.ndarray, float]:
        """Idf weights of x's body terms and their sum (the denominator of every containment of x)."""
        cached = self._idf_cache.get(x)
        if cached is None:
            w = self._idf_weights(self.body_terms[x])
            cached = self._idf_cache[x] = (w, float(w.sum()))
        return cached

    def _within_outlet(self, key: tuple[int, int], decision: Decision) -> Decision:
        """Within one outlet, reworded texts are the newsroom's own updates and corrections
        (wire services re-issue stories all day): a reworded pair is related, a spun-looking
        one is an edited re-issue. Copying claims are made across outlets, or when unknown.
        A re-issue or correction follows within days: the outlet's near copies published further
        apart are its own template or follow-up (weekly reports, another company's listing,
        the next step of a story), related at most."""
        if decision.relation not in ("spun", "rewrite", "near_copy") or not self._same_outlet(*key):
            return decision
        source = self.docs[key[0]].source
        if decision.relation != "near_copy":
            relation = "near_copy" if decision.relation == "spun" else "related"
            decision = Decision(relation, decision.score,
                                decision.reasons + (f"same outlet ({source}): its own edited re-issue or follow-up",))
        gap = self._gap_seconds(*key)
        if decision.relation != "near_copy" or gap is None or gap < OUTLET_REISSUE_MAX_DAYS * 86400:
            return decision
        if any(REISSUE_TITLE.match(self.docs[x].title or "") for x in key):
            return decision  # declared a correction or repeat by its headline: one, however late
        note = (f"same outlet ({source}), {gap / 86400:.0f} days apart: its own template or follow-up, "
                "not a re-issue")
        return Decision("related", decision.score, decision.reasons + (note,))

    def _template_not_copy(self, key: tuple[int, int], f: PairFeatures, decision: Decision) -> Decision:
        """A copy-like pair that is one template filled in for another day or another company
        (daily money-market reports, eurobond launches, "X raises prime rate") is no copy: it
        becomes ``related``, which holds only where the two report one event (_same_event)."""
        if decision.relation not in TEMPLATE_CHECKED:
            return decision
        a, b = key
        changed = figures_changed(f.alignment, self.docs[a].text, self.tokens[a], self.docs[b].text, self.tokens[b])
        why = another_day(changed, f.alignment.numbers_shared, self._gap_seconds(a, b))
        if why is None:  # leads and names are read only when dates and figures leave it open
            why = self._another_company(a, b, f.alignment, changed, decision.relation)
        if why is None:
            return decision
        return Decision("related", decision.score, decision.reasons + (why,))

    def _same_outlet(self, a: int, b: int) -> bool:
        oa = self.outlet[a]
        return oa is not None and oa == self.outlet[b]

    def _llm_styled(self, doc_id: int) -> bool:
        """The text reads as LLM output on its own: LLM-favoured words or style markers at a high
        rate, or a model's framing of its reply or repetition loop (which no published article
        holds)."""
        t = self.traits[doc_id]
        return is_llm_styled(t.framing, t.llm_words, self._ai_density(doc_id))

    def _llm_like_source(self, s: int, d: int) -> bool:
        """s reads at least about as LLM-written as d (either measure): then s is more likely
        d's sibling rewrite than its source. Relative, so a human text with a few such words
        still sources a rewrite that has more of them, or one whose sentences vary much less."""
        ts, td = self.traits[s], self.traits[d]
        burstier = bool(ts.burstiness and td.burstiness and ts.burstiness - td.burstiness > SIBLING_BURST_MARGIN)
        if ts.llm_words >= SIBLING_LLM_WORDS and ts.llm_words >= td.llm_words - SIBLING_LLM_WORD_GAP and not burstier:
            return True
        ai_s = self._ai_density(s)
        return ai_s >= SIBLING_AI_DENSITY and ai_s >= self._ai_density(d) - SIBLING_AI_GAP

    def _ai_density(self, doc_id: int) -> float:
        t = self.traits[doc_id]
        return ai_density(t.ai_markers, t.words)

    def _is_sibling(self, d: int, p: int, q: int) -> bool:
        """True when d cannot have been made from p alone: it keeps words of q that p removed,
        or lacks most of the words p put in (where d follows p, when d is an excerpt of an outlet's
        re-issue p of q)."""
        bp, bq, bd = self.body_terms[p], self.body_terms[q], self.body_terms[d]
        # Body terms are sorted and distinct: sets.in_sorted gives np.setdiff1d's and np.isin's results.
        removed_by_p = bq[~in_sorted(bq, bp)]
        if removed_by_p.shape[0] >= MIN_EDIT_TERMS:
            if float(in_sorted(removed_by_p, bd).mean()) >= MIN_RESTORED_SHARE:
                return True
        added_by_p = bp[~in_sorted(bp, bq)]
        if added_by_p.shape[0] < MIN_EDIT_TERMS:
            return False  # p is (nearly) q itself: nothing to inherit, keep the closer one
        # Between two issues of one story (p the outlet's re-issue of q), only what p put in where
        # d follows it, when d is a copy lying inside p: an excerpt, its lead alone, holds none of
        # the words p added further on, and is p's copy all the same. Not for rewrites, which
        # follow p loosely and all through, nor beside another outlet's text: a model's reply
        # holding its whole article and going on reads as the article's source by its first part
        # (LLMFake: an article taken for a copy of such a reply, its 6 rewrites with it).
        covered = self._covered_terms(p, d) if self._are_versions(p, q) else None
        if covered is not None:
            added_by_p = added_by_p[in_sorted(added_by_p, covered)]
            if not added_by_p.shape[0]:
                return True  # p added nothing where d follows it: d reads as q there as much as p
        return float(in_sorted(added_by_p, bd).mean()) < MAX_INHERITED_SHARE

    def _covered_terms(self, p: int, d: int) -> np.ndarray | None:
        """The distinct terms (sorted) of the stretch of p from its first to its last passage
        aligned with d, when d is a copy lying inside p (_excerpt_copy), else None."""
        key = (min(p, d), max(p, d))
        rec = self.pairs.get(key)
        if rec is None or not rec.features.alignment.passages or not self._excerpt_copy(d, key):
            return None
        passages = rec.features.alignment.passages
        p_is_a = rec.features.a == p
        lo = min(x.a0 if p_is_a else x.b0 for x in passages)
        hi = max(x.a1 if p_is_a else x.b1 for x in passages)
        return np.unique(self.tokens[p].hashes[lo:hi])

    def _explains(self, key: tuple[int, int], o: Oriented) -> float:
        """How much of the derived text the source accounts for: reused passages and shared terms
        (of its story alone when it has furniture lines: see _story_alignment).

        Measured on the derived side (not a symmetric similarity), so a sibling copy, which
        shares with the document only what both took from the common source, ranks below it.
        """
        f = self.pairs[key].features
        al = f.alignment
        d = o.derived
        if self.traits[d].cruft:
            # Measured on the story: a site's furniture (a share bar, a feed's footer) is no part
            # of what a source accounts for, and two farms' templates hold the same furniture.
            cov, rate = self._story_alignment(d, key)
            body_d = self.body_terms[d]  # (cruft left out)
            shared = float(in_sorted(body_d, self.body_terms[o.source]).sum()) / max(1, body_d.shape[0])
            return 0.5 * cov * (1.0 - rate) + 0.5 * shared
        cov = al.coverage_a if d == f.a else al.coverage_b
        terms = f.terms_a if d == f.a else f.terms_b
        return 0.5 * cov * (1.0 - al.substitution_rate) + 0.5 * f.shared_content / max(1, terms)

    def _story_alignment(self, d: int, key: tuple[int, int]) -> tuple[float, float]:
        """The pair ``key``'s coverage of d and its substitution rate, both counted outside d's
        furniture (cruft lines and boilerplate, _outside_furniture)."""
        f = self.pairs[key].features
        al = f.alignment
        d_is_a = f.a == d
        story = self._outside_furniture(d)
        words = int(story.sum())
        if not words:
            return (al.coverage_a if d_is_a else al.coverage_b), al.substitution_rate
        n = story.shape[0]
        covered = self._aligned_mask(d, f, n)
        substitutions = sum(1 for x in al.substitutions if story[min(x.a0 if d_is_a else x.b0, n - 1)])
        denominator = al.matched_content + substitutions
        return float((covered & story).sum()) / words, substitutions / denominator if denominator else 0.0

    def _earlier(self, a: int, b: int) -> bool:
        """Tie-break for unknown direction: earlier date, then smaller id."""
        gap = seconds_later(self.docs[a].published_at, self.docs[b].published_at)
        if gap:
            return gap > 0
        return a < b

    def _decide(self) -> dict[tuple[int, int], Oriented]:
        """Classify every aligned pair with cosines from the archive as it is now, so that one
        build and a series of updates decide the same pairs the same way; returns the
        orientation of each pair linked by its own relation (family pairs are oriented on
        demand, when a sibling is re-linked)."""
        keys = sorted(self.features)
        decided = self._decisions(keys)
        self.pairs = {}
        self._loose = set()
        oriented: dict[tuple[int, int], Oriented] = {}
        for key, item in zip(keys, decided):
            if item is None:
                continue
            cosine, decision, loose, orientation = item
            self.pairs[key] = PairRecord(self.features[key].with_cosine(cosine), decision)
            if loose:
                self._loose.add(key)
            if orientation is not None:
                oriented[key] = orientation
        return oriented

    def _decisions(self, keys: list[tuple[int, int]]) -> list[_PairDecision | None]:
        """What _decide_share says of each pair, taking those that earlier chunks of a run with
        one whole-archive index decided (the same cosines and word frequencies: see Carried)
        and keeping the others for later chunks."""
        carried = self.carried if self.carried is not None and self.carried.whole else None
        known = carried.decisions(keys) if carried is not None else {}
        todo = [key for key in keys if key not in known]
        # The cosines read rows that this process holds in a shared mapping (the whole archive's,
        # in a chunked run): computed here, before the fork, a worker does not map the rows into
        # its own resident set again, nor make the products' temporaries (at 200,000 documents
        # the worker grew by 60-95 MB with them, by 9-15 MB without).
        cosines = dict(zip(todo, self._cosines(todo)))
        # Pure per pair and CPU-bound: on every core; only decisions and orientations come back.
        made = dict(zip(todo, map_shares_forked(lambda share: self._decide_share(share, cosines), todo)))
        if carried is not None:
            carried.keep_decisions(made)
            carried.reused_decisions, carried.computed_decisions = len(known), len(made)
        return [known[key] if key in known else made[key] for key in keys]

    def _decide_share(self, keys: Sequence[tuple[int, int]],
                      cosines: Mapping[tuple[int, int], float]) -> list[_PairDecision | None]:
        """For each pair, given its ``cosines`` (see _cosines): None when unrelated, else (cosine,
        decision, whether the pair is one family only by containment, orientation unless it is
        such a family pair)."""
        out: list[_PairDecision | None] = []
        for key in keys:
            cosine = cosines[key]
            feats = self.features[key].with_cosine(cosine)
            decision, loose = self._relation(key, feats)
            if decision.relation is None:
                out.append(None)
                continue
            orientation = None if decision.relation == FAMILY else self._orient(PairRecord(feats, decision))
            out.append((cosine, decision, loose, orientation))
        return out

    def _relation(self, key: tuple[int, int], feats: PairFeatures) -> tuple[Decision, bool]:
        """The pair's own decision, and whether it is one family only by containment."""
        decision = self._template_not_copy(key, feats, self._within_outlet(key, classify(feats)))
        if decision.relation is not None:
            return decision, False
        decision = self._family_by_containment(feats, decision)
        return decision, decision.relation is not None

    def related(self, doc_ids: Iterable[int]) -> set[int]:
        """The documents that an aligned pair relates to one of ``doc_ids`` by its own decision
        (any relation, family pairs included), before sources are chosen: the only ones whose
        source those documents may become, or be sourced by (archive.provenance_store widens
        the neighbourhood of an update around them). Containment reads the current document
        frequencies, as result() does."""
        wanted = set(doc_ids)
        self._reset_name_caches()
        keys = sorted(k for k in self.features if k[0] in wanted or k[1] in wanted)
        if self.carried is not None and self.carried.whole:
            # Decided in full once, for this and later chunks' result().
            return {x for key, item in zip(keys, self._decisions(keys)) if item is not None for x in key} - wanted
        cosines = self.candidates.pair_cosines([a for a, _ in keys], [b for _, b in keys])
        out: set[int] = set()
        for (a, b), cosine in zip(keys, cosines.tolist()):
            if self._relation((a, b), self.features[(a, b)].with_cosine(cosine))[0].relation is not None:
                out.update((a, b))
        return out - wanted

    def _related_on_its_own(self, a: int, b: int) -> bool:
        """The pair is _paired, or, never aligned (one was not among the other's candidates),
        would be by its own decision: aligned now, for this question only (the pair is not
        kept, so re-deciding gives the same links)."""
        key = (min(a, b), max(a, b))
        if key in self.pairs or key in self.features:
            return self._paired(key)
        cosine = float(self.candidates.pair_cosines([key[0]], [key[1]])[0])
        decision, loose = self._relation(key, self._pair_features(key[0], key[1], cosine))
        return decision.relation is not None and not loose

    def _paired(self, key: tuple[int, int]) -> bool:
        """The two texts are related on their own, by their wording or names and numbers (not
        only by containment: such a loose family pair only serves the family root's checks)."""
        return key in self.pairs and key not in self._loose

    def _family_by_containment(self, f: PairFeatures, decision: Decision) -> Decision:
        """A pair too loose for any relation by its wording, where one text still holds a fair
        share of the other's terms and several of the same names: one family of texts (a rewrite
        and a source that is long or cut off, so that cosine and number shares understate it).
        Internal only: it can become a link only through the family checks (_family_roots)."""
        if different_story(f) or f.shared_names < ROOT_MIN_NAMES:
            return decision
        held = max(self._containment(f.a, f.b), self._containment(f.b, f.a))
        if held >= ROOT_MIN_CONTAINMENT:
            note = f"one text holds {held:.0%} of the other's terms and {f.shared_names} of the same names"
        else:
            opening = max(self._opening_cover(f.a, f.b), self._opening_cover(f.b, f.a))
            if opening < OPENING_FAMILY_COVER:
                return decision
            note = f"one text holds {opening:.0%} of the other's opening and {f.shared_names} of the same names"
        return Decision(FAMILY, decision.score, decision.reasons + (note,))

    def _follow_frequencies(self) -> None:
        """Containment and idf weights depend on document frequencies: those kept are dropped
        when documents were added since they were computed (unless the frequencies are a
        background's, the whole archive's: then what was computed holds). Documents are never
        taken out of an index, so its size says whether they changed."""
        if self.candidates.background is None and self._weights_at != self.candidates.archive_size:
            self._drop_weights()
            self._weights_at = self.candidates.archive_size

    def _drop_weights(self) -> None:
        """Forget the containments and idf weights kept (computed again when next asked for)."""
        self._cont_cache = {}
        self._opening_cache = {}
        self._idf_cache = {}

    @gc_paused
    def result(self, wanted: Callable[[list[Link]], Callable[[Link], bool]] | None = None) -> ProvenanceResult:
        """All links, stories, attributions and flags, decided from every aligned pair.

        ``wanted``: given every link this would return (without evidence), which of them the
        caller will use; only those are built and returned, and stories and flags are of those.
        An update of a neighbourhood takes only the links around its new documents (see
        archive.provenance.merge), and quoting a link's evidence was a third of result()."""
        self._follow_frequencies()
        self._reset_name_caches()
        self._closest = None
        self._could = None
        self._near = {}
        self._by_opening = None
        self._prime_weights({x for key in self.features for x in key})
        oriented = self._decide()
        # Choosing sources is serial, and what is costly in a link does not depend on it (whether
        # the two leads report one event, and the evidence but its reasons): the workers build
        # that meanwhile, for every pair that may become a link (not for a caller that takes a few
        # of the links), with the orientations as they stand; a link whose pair the choice turned
        # round, or which needs what was not built, is built again below.
        before = dict(oriented)
        guessed = [key for key in sorted(oriented) if self.pairs[key].decision.relation != FAMILY] if wanted is None else []
        chose: list[dict[int, tuple[int, int]]] = []

        def choose() -> None:
            if self._search_scope is None:
                self._search_scope = ExitStack()
            try:
                chose.append(self._choose_parents(oriented))
            finally:
                self._release_search()
        early = dict(zip(guessed, map_forked(lambda key: self._early_evidence(before, key), guessed, meanwhile=choose)))
        parent = chose[0]
        chosen = set(parent.values())
        kept: list[_Planned] = []
        for key, o in sorted(oriented.items()):
            rec = self.pairs[key]
            rel = rec.decision.relation
            assert rel is not None
            if key in self._models_pairs and key not in chosen:
                kept.append(_Planned(key, "related", _MODELS_PAIR_NOTE, one_story=True))
                continue
            if key in self._newsroom_pairs and key not in chosen:
                kept.append(_Planned(key, "related", _NEWSROOM_PAIR_NOTE))
                continue
            if rel == FAMILY and key not in chosen:
                continue
            if rel in DERIVATIONS and key not in chosen:
                rel = "related"
                note = (_CLOSER_SOURCE_NOTE if o.derived in parent else
                        _SIBLING_LIKE_NOTE if key in self._sibling_like_pairs else _TAKEN_BACK_NOTE)
            elif rel == "spun" and self._ai_density(o.derived) >= AI_REWRITE_DENSITY > self._ai_density(o.source):
                rel = "rewrite"
                note = "reworded with LLM-style headings/phrases: a rewrite rather than a spinner's copy"
            elif rel in ("related", FAMILY) and key in chosen:
                rel = "rewrite"
                note = "a sibling rewrite derives from this source, and this text relates to it too"
            else:
                note = None
            if key in chosen and self._why.get(o.derived) in _WHY_NOTES:
                note = "; ".join(n for n in (note, _WHY_NOTES[self._why[o.derived]]) if n)
            kept.append(_Planned(key, rel, note))
        if wanted is not None:
            planned = [Link(oriented[item.key].derived, oriented[item.key].source, item.relation, 0.0, 0.0)
                       for item in kept]
            takes = wanted(planned)
            kept = [item for item, link in zip(kept, planned) if takes(link)]

        def ready(item: _Planned) -> bool:
            return (item.key in early and oriented[item.key] is before[item.key]
                    and (item.relation == "related" or early[item.key][1] is not None))

        def finished(item: _Planned) -> Link | None:
            event, body = early[item.key]
            if item.needs_one_event and not event:
                return None
            assert body is not None  # (a related pair with one event, or a pair with its evidence: ready)
            return self._link(self.pairs[item.key], oriented[item.key], item.relation, item.note, body)
        # The links not built early: reading leads and quoting evidence are pure and per pair,
        # on every core too.
        todo = [item for item in kept if not ready(item)]
        # The links read none of the containments and idf weights kept for the decisions and the
        # choice (~10 MB for a chunk's ~13,000 documents at 200,000): dropped before the workers
        # fork, which would map them too.
        self._drop_weights()
        built = dict(zip((item.key for item in todo), map_forked(lambda item: self._final_link(oriented, item), todo)))
        links = sorted((l for l in (finished(item) if ready(item) else built[item.key] for item in kept)
                        if l is not None), key=lambda l: (l.derived_id, l.source_id))
        story_of = stories(self.docs, ((l.derived_id, l.source_id) for l in links))
        attributions = [a for d in sorted(self.cited) for a in self.cited[d]]
        flags, doc_evidence = self.flags(links)
        return ProvenanceResult(links, story_of, attributions, flags, doc_evidence)

    def _final_link(self, oriented: dict[tuple[int, int], Oriented], item: _Planned) -> Link | None:
        """The link of a decided pair with its evidence; None for a related pair whose leads
        report different events (same topic or template, not one story) unless it is known to
        be one story."""
        if item.needs_one_event and not self._same_event(*item.key):
            return None
        return self._link(self.pairs[item.key], oriented[item.key], item.relation, item.note)

    def _early_evidence(self, oriented: dict[tuple[int, int], Oriented],
                        key: tuple[int, int]) -> tuple[bool, dict[str, Any] | None]:
        """Before sources are chosen: whether the leads of a decided pair report one event (its
        link is a related one unless it is chosen), and its link's evidence but the reasons (see
        _evidence); None for a related pair whose leads do not, which is no link unless chosen."""
        rec = self.pairs[key]
        event = self._same_event(*key)
        return event, (None if rec.decision.relation == "related" and not event else self._evidence(rec, oriented[key]))

    def flags(self, links: list[Link]) -> tuple[dict[int, list[str]], dict[int, dict[str, Any]]]:
        """Each document's flags (its derivation relations in ``links``, 'spun' from artefacts)
        and the markers behind them."""
        flags: dict[int, set[str]] = {}
        for link in links:
            if link.relation in DERIVATIONS:
                flags.setdefault(link.derived_id, set()).add(link.relation)
        evidence: dict[int, dict[str, Any]] = {}
        for doc_id in sorted(self.markers):
            markers = self.markers[doc_id]
            if not markers:
                continue
            arts = [m for m in markers if m.kind == "spinner_artefact"]
            if len({m.usual for m in arts}) >= MIN_ARTEFACT_KINDS:
                flags.setdefault(doc_id, set()).add("spun")
            evidence[doc_id] = {
                kind: [{"phrase": m.phrase, "start": m.start, "end": m.end, **({"usual": m.usual} if m.usual else {})}
                       for m in markers if m.kind == kind]
                for kind in ("spinner_artefact", "cruft", "ai_style", "model_framing", "model_loop")
                if any(m.kind == kind for m in markers)
            }
        return {d: sorted(v) for d, v in sorted(flags.items())}, evidence

    def _link(self, rec: PairRecord, o: Oriented, relation: str, note: str | None,
              evidence: dict[str, Any] | None = None) -> Link:
        """``evidence``: _evidence of the pair as ``o`` orients it, when built already."""
        evidence = {"method_version": METHOD_VERSION, "reasons": list(rec.decision.reasons) + ([note] if note else []),
                    **(self._evidence(rec, o) if evidence is None else evidence)}
        return Link(o.derived, o.source, relation, float(rec.decision.score), round(float(o.confidence), 4), evidence)

    def _evidence(self, rec: PairRecord, o: Oriented) -> dict[str, Any]:
        """A link's evidence but its method version and reasons (which follow the choice of
        sources): passages, substitutions and shared terms quoted from the two texts."""
        f = rec.features
        al = f.alignment
        src_is_a = o.source == f.a
        ts, td = (self.tokens[f.a], self.tokens[f.b]) if src_is_a else (self.tokens[f.b], self.tokens[f.a])
        text_s, text_d = self.docs[o.source].text, self.docs[o.derived].text

        def span(t: Tokens, i0: int, i1: int) -> list[int]:
            return [int(t.starts[i0]), int(t.ends[i1 - 1])] if i1 > i0 else [int(t.starts[min(i0, len(t) - 1)])] * 2

        passages = []
        for p in al.passages[:20]:
            (s0, s1, d0, d1) = (p.a0, p.a1, p.b0, p.b1) if src_is_a else (p.b0, p.b1, p.a0, p.a1)
            passages.append({"source": span(ts, s0, s1), "derived": span(td, d0, d1), "matched_tokens": p.matched})
        def replacements(found: tuple[Substitution, ...]) -> tuple[list[list[str]], list[dict[str, list[int]]]]:
            """The replaced words as quoted from each text, and where they stand in it."""
            quoted, where = [], []
            for s in found:
                (s0, s1, d0, d1) = (s.a0, s.a1, s.b0, s.b1) if src_is_a else (s.b0, s.b1, s.a0, s.a1)
                a_span, b_span = span(ts, s0, s1), span(td, d0, d1)
                quoted.append([text_s[a_span[0]:a_span[1]], text_d[b_span[0]:b_span[1]]])
                where.append({"source": a_span, "derived": b_span})
            return quoted, where

        subs, sub_spans = replacements(al.substitutions[:40])
        conflicts, conflict_spans = replacements(al.number_conflicts[:10])
        return {
            "cosine": round(f.cosine, 4),
            "coverage": {"source": round(al.coverage_a if src_is_a else al.coverage_b, 3),
                         "derived": round(al.coverage_b if src_is_a else al.coverage_a, 3)},
            "substitution_rate": round(al.substitution_rate, 3),
            "passages": passages,
            "substitutions": subs,
            "substitution_spans": sub_spans,
            "number_conflicts": conflicts,
            "number_conflict_spans": conflict_spans,
            "shared": self._shared_terms(o.derived, o.source),
            "direction": [s.as_json(f.a, f.b) for s in o.signals],
            "substitution_direction_examples": [list(e) for e in o.examples],
        }

    def _shared_terms(self, derived: int, source: int) -> dict[str, list[str]]:
        """Shared numbers, names and rarest words, quoted from the derived text, in text order."""
        td, ts = self.tokens[derived], self.tokens[source]
        text = self.docs[derived].text
        common = in_sorted(td.hashes, np.sort(ts.hashes))  # (repeats do not change the mask)
        out: dict[str, list[str]] = {}
        for label, mask in (("numbers", td.kinds == NUM), ("names", td.kinds == CAP)):
            out[label] = _quote_unique(text, td, common & mask, 12)
        words = common & (td.kinds != STOP) & (td.kinds != NUM) & (td.kinds != CAP)
        idx = np.flatnonzero(words)
        if idx.shape[0]:
            df = self._freq(td.hashes[idx])
            order = np.lexsort((idx, df))  # rarest first, then text order
            picked = np.sort(idx[order[:12]])
            mask = np.zeros(len(td), dtype=bool)
            mask[picked] = True
            out["rare_words"] = _quote_unique(text, td, mask, 12)
        return out


@dataclass(frozen=True)
class _DocAnalysis:
    """What linking needs of one document besides its tokens (see :func:`_analyse`)."""

    anchors: Anchors
    markers: list[Marker]
    cited: list[Attribution]
    body_terms: np.ndarray
    opening: np.ndarray  # first OPENING_TERMS distinct body terms, in text order (see _opening_terms)
    traits: DocTraits
    cut_off: bool  # the text reads as cut off mid-sentence (see style.reads_cut_off)
    detail_hashes: np.ndarray  # distinct names and numbers, in order of first mention
    detail_is_number: np.ndarray  # (bool, same order)

    def __reduce__(self) -> tuple[Any, ...]:
        # A chunked run keeps analyses pickled between chunks (carry.py) and reads each back
        # once per chunk that holds its document (~400,000 reads linking 60,000 articles): a numpy
        # array unpickles in ~10 us, its bytes through np.frombuffer in ~1.
        arrays = (self.body_terms, self.opening, self.detail_hashes, self.detail_is_number)
        return (_analysis_from, (self.anchors, self.markers, self.cited, self.traits, self.cut_off,
                                 tuple((a.dtype.str, a.tobytes()) for a in arrays)))


def _analysis_from(anchors: Anchors, markers: list[Marker], cited: list[Attribution], traits: DocTraits,
                   cut_off: bool, arrays: tuple[tuple[str, bytes], ...]) -> _DocAnalysis:
    """The analysis that _DocAnalysis.__reduce__ took apart (its arrays read-only)."""
    body_terms, opening, detail_hashes, detail_is_number = (np.frombuffer(data, dtype=np.dtype(kind)) for kind, data in arrays)
    return _DocAnalysis(anchors, markers, cited, body_terms, opening, traits, cut_off, detail_hashes, detail_is_number)


def _analyse(doc: DocInput, fp: Fingerprint) -> _DocAnalysis:
    """Everything about one document that does not depend on the rest of the archive: its
    telltales (stored with the fingerprint at ingest, read again only when missing) and what
    the tokens give."""
    tokens = fp.tokens
    told = fp.telltales if fp.telltales is not None else read_telltales(doc.text, tokens)
    anchors = Anchors.of(tokens)
    # A page naming its own outlet ("when contacted by <itself>", a wire's "(Reuters) -" in a
    # story stored as Reuters') speaks of itself: no credit to another newsroom.
    own = outlet_key(doc.source)
    cited = [a for a in told.attributions(doc.id) if own is None or outlet_key(a.outlet) != own]
    outside = _outside_cruft(tokens, told.cruft)
    detail_hashes, detail_is_number = _details_in_order(tokens, outside)
    traits = DocTraits(
        published_at=doc.published_at,
        source=doc.source,
        words=len(tokens),
        artefacts=len({m.usual for m in told.artefacts}),
        cruft=len(told.cruft) + doc.removed_cruft,
        ai_markers=told.style_markers,
        cited_outlets=frozenset(a.outlet for a in cited),
        details=len(detail_hashes),
        llm_words=told.llm_words,
        burstiness=told.burstiness,
        framing=told.framings,
    )
    body = tokens.hashes[outside]
    return _DocAnalysis(anchors, list(told.artefacts + told.cruft + told.ai), cited, np.unique(body),
                        _opening_terms(body), traits, told.cut_off, detail_hashes, detail_is_number)


def _preference(parts: tuple[float, float, float], holds: float) -> float:
    """The source preference from ProvenanceIndex._preference_parts and how much of the
    candidate source the text holds (summed in this order wherever it is read, so the same
    pair always gives the same float)."""
    held, names, style = parts
    return held - holds + names + style


def _preference_bound(parts: tuple[float, float, float]) -> float:
    """An upper bound of _preference(parts, holds) for any holds >= 0 (rounding aside: the
    1e-9 keeps the bound from falling below the preference it bounds)."""
    held, names, style = parts
    return held + names + style + 1e-9


def _details_in_order(tokens: Tokens, outside: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct names and numbers among the ``outside`` tokens (those outside cruft lines) in
    order of first mention, and which of them are numbers: the details the text reports, not its
    site's. Counted, a site's lines (its name, tags, a date) made a crufted copy hold more than
    its source, so read as the source, and a post's "1:49 pm", "Views: 715" read as figures of its
    own, which separate reports bring and a copy does not."""
    mask = outside & ((tokens.kinds == NUM) | (tokens.kinds == CAP))
    hashes, kinds = tokens.hashes[mask], tokens.kinds[mask]
    _, first = np.unique(hashes, return_index=True)
    order = np.sort(first)
    return hashes[order], kinds[order] == NUM


def _outside_cruft(tokens: Tokens, cruft: Sequence[Marker]) -> np.ndarray:
    """Which tokens are non-function terms outside the ``cruft`` lines."""
    keep = tokens.kinds != STOP
    for m in cruft:
        keep &= (tokens.starts < m.start) | (tokens.starts >= m.end)
    return keep


def _opening_terms(body: np.ndarray) -> np.ndarray:
    """The first OPENING_TERMS distinct terms of ``body`` (a text's content terms outside cruft
    lines, in text order)."""
    # The first few times OPENING_TERMS tokens nearly always hold that many distinct terms.
    head = body[: 4 * OPENING_TERMS]
    if head.shape[0] < body.shape[0] and len(set(head.tolist())) < OPENING_TERMS:
        head = body
    return np.fromiter(dict.fromkeys(head.tolist()), np.int64)[:OPENING_TERMS]


def _quote_unique(text: str, t: Tokens, mask: np.ndarray, limit: int) -> list[str]:
    seen: dict[int, str] = {}
    for i in np.flatnonzero(mask).tolist():
        h = int(t.hashes[i])
        if h not in seen:
            seen[h] = text[t.starts[i]:t.ends[i]]
            if len(seen) >= limit:
                break
    return list(seen.values())


def fingerprint(doc: DocInput) -> Fingerprint:
    return fingerprint_text(doc.text)


def build(docs: Iterable[DocInput], fingerprints: Mapping[int, Fingerprint] | None = None) -> ProvenanceResult:
    """Provenance of a whole archive (same as one :meth:`ProvenanceIndex.update` on an empty index)."""
    index = ProvenanceIndex()
    index.update(docs, fingerprints)
    return index.result()


def update(new_docs: Iterable[DocInput], index: ProvenanceIndex,
           fingerprints: Mapping[int, Fingerprint] | None = None) -> ProvenanceResult:
    """Link new documents against the archive held by ``index`` (mutated) and return all links."""
    index.update(new_docs, fingerprints)
    return index.result()
