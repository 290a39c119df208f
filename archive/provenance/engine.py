"""The provenance workflow: fingerprint -> candidates -> pair features -> decisions -> links.

:class:`ProvenanceIndex` holds the archive's token streams, candidate index and the features of
every aligned pair; :func:`build` is one :meth:`ProvenanceIndex.update` over the whole archive
followed by :meth:`ProvenanceIndex.result`.

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
import math
import re
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import scipy.sparse as sp

from .align import Alignment, Prepared, Substitution
from .attribution import Attribution
from .candidates import CandidateIndex, TermTable
from .carry import Carried
from .classify import FAMILY, MIN_COPY_COVERAGE, SPUN_MIN_RATE, SPUN_MIN_SUBS, Anchors, Decision, PairFeatures, classify, different_story, pair_features
from .clusters import (TEMPLATE_CHECKED, Lead, another_company, another_day, figures_changed, figures_differ, lead_of,
                       lead_joins_words, leads_apart, own_names, protagonists, protagonists_apart, rare_names, same_event,
                       same_figures_as_substitutions, spelt_alike, stories, subject_of, typographic_edits_as_matches)
from .cycles import cycle_breaks
from .direction import MIN_DATE_GAP_SECONDS, DocTraits, Signal, direction
from .features import CAP, NUM, STOP, Tokens, idf, tokenize
from .fingerprint import Fingerprint, fingerprint_text
from .model import DERIVATIONS, DocInput, Link, ProvenanceResult
from archive.parallel import map_forked, map_shares_forked
from .sets import in_sorted, shares_in, weighted_sum_in  # numpy's set operations, same results, cheaper
from .style import Marker
from .telltales import read_telltales
from .versions import Surface, best_version

METHOD_VERSION = "2026.12-45"

# Only a document's best candidates are aligned: the true source ranks in the top two for all
# spun dev copies, and alignment is the expensive step. (With several LLM rewrites of one article in
# the archive, the source of a loose, open-ended rewrite ranks 4th-8th at cosine 0.15-0.3 behind
# its siblings; aligning 8 at 0.15 finds more of them but nearly doubles the aligned pairs.)
ALIGN_TOP = 4
ALIGN_MIN_COSINE = 0.2
# Plus, further down (to cosine ALIGN_SOURCE_MIN_COSINE), the one candidate that reads most as
# the document's source (pairwise source preference, see _source_like), when it does by this
# margin, more than any aligned candidate, and also reads as the source of the nearest one.
ALIGN_SOURCE_MIN_COSINE = 0.15
ALIGN_SOURCE_MIN_PREFERENCE = 0.3  # as ROOT_MIN_PREFERENCE
# Further down the list only clearly similar candidates: siblings (other copies of the same
# source) can push the source itself below the first few ranks.
ALIGN_WIDE_MIN_COSINE = 0.3
# How much direction confidence counts when choosing between candidate parents: a sibling copy
# can be as similar as the common source but is not the source.
PARENT_DIRECTION_BONUS = 0.5
# A model asked to write a story from an article may keep little of it but its opening, which the
# story elaborates: containment over the whole text understates such a pair, the share of the
# source's opening the rewrite holds does not. The opening is a text's first OPENING_TERMS distinct
# content terms (outside cruft lines), weighted by idf; further down d's candidate list, the one
# whose opening d holds most, at least OPENING_ALIGN_COVER of it, is aligned too when it reads as
# d's source, and two texts where one holds OPENING_FAMILY_COVER of the other's opening and shares
# ROOT_MIN_NAMES names are one family (LLMFake open-ended: recall 0.634 -> 0.670, precision up).
OPENING_TERMS = 20
OPENING_ALIGN_COVER = 0.5
OPENING_FAMILY_COVER = 0.6
# Sibling test (see _choose_parents): p must differ from q in at least this many words, and a
# copy of p would carry over most of them.
MIN_EDIT_TERMS = 3
REPARENT_MARGIN = 0.05
MAX_INHERITED_SHARE = 0.5
MIN_RESTORED_SHARE = 0.3
REPARENT_ROUNDS = 4
# LLM-style markers per 100 words from which a reworded copy is called a rewrite, not spun.
AI_REWRITE_DENSITY = 1.0
# LLM-favoured words per 100 words from which a text reads as LLM output (dev sources: 90% below
# 1.2; rewrites: median 1.0-1.5).
LLM_STYLED_WORDS = 1.5
# A rewrite's candidate source that is itself somewhat LLM-styled, about as much as the rewrite
# or more, is taken for a sibling rewrite (dev: correct sources' LLM-word rate 90% <= 0.34,
# sibling rewrites' median 0.6-0.8; AI markers: sources ~0, siblings median ~0.2 per 100 words).
SIBLING_LLM_WORDS = 0.4
SIBLING_LLM_WORD_GAP = 0.2
SIBLING_AI_DENSITY = 0.1
SIBLING_AI_GAP = 0.2
# ... but the word rate alone (a list of ordinary words that newsrooms use too) does not make a
# candidate a sibling when its sentence lengths vary this much more than the rewrite's: rhythm
# needs no word list (style.burstiness). Dev: the source is this much burstier than its rewrite
# in 60% of pairs, one rewrite than its sibling in 13% of ordered pairs; LLMFake recall is flat
# around it (margin 0.1 / 0.2 / 0.3: 0.697 / 0.697 / 0.694, precision 0.915 / 0.915 / 0.914).
SIBLING_BURST_MARGIN = 0.2
# Family root (see _family_roots): a parentless document is linked to the root of its family
# when the root holds this idf-weighted share of its terms and reads as its source
# (_source_preference at least ROOT_MIN_PREFERENCE). Open-ended LLM rewrites elaborate on a
# source's lead and invent the rest: dev median containment 0.22 in the source, 0.15 in
# unrelated same-topic sources, so containment only gates and the preference decides.
ROOT_MIN_CONTAINMENT = 0.15
ROOT_MIN_PREFERENCE = 0.3
# ... and only when the facts agree (see _keeps_facts). Without these, the containment test alone
# links short briefs to longer reports of the same event (Reuters with outlet names removed).
ROOT_MIN_WORDS = 100
ROOT_MIN_NAMES = 3
ROOT_MIN_KEPT_DETAILS = 0.4
# The kept share is judged over the part of the rewrite the source accounts for: its names and
# numbers (in order of first mention) up to the one by which this share of those it shares with
# the source has come. What follows (an open-ended rewrite's invented elaboration, or the rest of
# an article stored cut off) has no counterpart in the source, so it proves nothing either way;
# a separate report of the event mixes its own names and figures in with the shared ones.
ROOT_KEPT_SPAN = 0.75
# An LLM elaboration may add a year or a count; separate reports bring several figures.
ROOT_MAX_OWN_NUMBERS = 1
# Weights of the pairwise "m is x's source" preference (see _source_preference): containment
# asymmetry counts 1; names, sentence-length variation and LLM style are relative differences.
ROOT_NAME_WEIGHT = 0.5
ROOT_BURST_WEIGHT = 1.0
ROOT_LLM_WORD_WEIGHT = 0.2
ROOT_AI_WEIGHT = 0.5
ROOT_PREFERENCE_SCALE = 3.0
# A root that is only weakly similar to a rewrite (a family or related pair) replaces its current
# source only when it holds about as much of the rewrite's terms (idf-weighted share), within this.
ROOT_HELD_MARGIN = 0.05
# Members of a family: the document and its closest paired texts (the candidate list's size).
FAMILY_SIZE = 12
# Family consensus (see _family_consensus): a parentless text paired with at least this many
# rewrites of one source, and with that source, is one more rewrite of it. One sibling's link
# may be wrong (it can point at a sibling rewrite); two that agree rarely are.
CONSENSUS_MIN_VOTES = 2
# ... sharing at least this many of its names (as classify.REWRITE_MIN_NAMES).
CONSENSUS_MIN_NAMES = 2
# Neighbour consensus (see _neighbour_consensus): the votes of a rewrite's nearest texts by cosine
# (this many, down to this cosine), whether or not they were aligned with the parentless text.
NEIGHBOUR_VOTERS = 8
NEIGHBOUR_MIN_COSINE = 0.2
# ... or, where style says too little (a paraphrase keeps its article's sentences and register),
# on the word of this many of its nearest texts when it keeps the voted source's facts
# (_keeps_facts: several shared names, no figures of its own) and the source preference leans to
# that source (MODEL_FAMILY_MIN_PREFERENCE): independent texts on one topic share few names,
# separate reports of one event bring their own figures. LLMFake 0.9573/0.8699 -> 0.9576/0.8758
# (10 paraphrases and rewrites more linked, all right; one right link lost to a tie of two
# families' votes); 2 votes: 5 more wrong links (rewrites taken for sources); 4: 9 more right,
# none lost. Clough unchanged (of its independent answers, the two sharing 3 names or more with
# their source bring 3 figures of their own or read LLM-like against it).
CONSENSUS_FACT_VOTES = 3
# Nearest original (see _nearest_originals): an original is a text with no source of its own (or
# only a partial reuse of one: _reuses_only_part) that sources rewrites. Among a rewrite's nearest
# texts (this many, down to this cosine), the nearest original that reads as its source is its
# source: its siblings resemble it more than their common source does, but they are not
# originals, and a same-topic original further down is not the one it was made from. LLMFake: of
# the rewrite links whose source had a nearer such original, 27 of 33 were wrong; of all correct
# rewrite links, 6 had one.
ORIGINAL_NEIGHBOURS = 16
ORIGINAL_MIN_COSINE = 0.1
# A parentless text's nearest original that shares too few names or brings too many figures for
# _consensus_source still sources it when no other original comes within this cosine of it
# among the text's nearest texts (retrieval without a rival: the nearest other original is
# another article on the topic) and, by style alone, it reads clearly more human-written: by
# this much, beyond the spread between independent human texts (Clough's independent student
# answers read at most 0.64 more human than their Wikipedia source, most far less; LLMFake's
# rewrites that gain a source this way up to 1.5). LLMFake recall 0.819 -> 0.832 at no cost in
# precision; style 0.6 / 0.85: 0.834 / 0.831; margin 0.05 / 0.15: 0.833 / 0.822; without the
# style bar 0.852 but 7 of Clough's independent answers linked.
ORIGINAL_CLEAR_MARGIN = 0.1
ORIGINAL_CLEAR_STYLE = 0.7
# ... and one whose style says too little (it reads no more human-written than the text, but not
# by ROOT_MIN_PREFERENCE) sources it on its family's word when its own family says what kind of
# rewrites these are: the texts already linked to it as rewrites (CONSENSUS_MIN_VOTES or more)
# read, by their median style preference, at least this much less human-written than it. Models
# rewrite in their own register, so a family of LLM rewrites reads far from its article (LLMFake:
# median 0.62 over the originals, a quarter below 0.47), while people rewriting a text stay close
# to it (Clough: the Wikipedia sources' families at most 0.23 while the rules run, 0.14 at the end),
# and their independent texts on the topic are what the style bar keeps out. LLMFake recall
# 0.833 -> 0.841 at no cost in precision (the 10 texts it links are all right; others follow in
# the consensus rounds); gap 0.3 / 0.5: 0.842 / 0.838, 0.2: two of Clough's independent answers
# linked; the text's own bar 0.0 (no more human than it), -0.1 / 0.1: 0.843 / 0.839. In such a
# family, a text sharing too few names for the family's word needs its nearest original to read
# only ROOT_MIN_PREFERENCE more human-written, not ORIGINAL_CLEAR_STYLE (the rewrites already say
# it is a model's family): LLMFake 0.9552/0.8410 -> 0.9563/0.8476 (one wrong link fewer); bar
# 0.35 / 0.4: 0.845 / 0.844; with gap 0.3 / 0.5: 0.850 / 0.844. Neighbour consensus takes the same
# weaker style bar in such a family when the voted source is the text's nearest original:
# 0.9563/0.8476 -> 0.9564/0.8495 (without the nearest-original test 0.9557/0.8502: one more
# right, one wrong, to a farther original behind the true source). Nor is the original of such a
# family taken for a sibling of the text for reading somewhat LLM-like (_llm_like_source: a few
# LLM-favoured words or one stock phrase): 0.9564/0.8495 -> 0.9558/0.8535, 6 more right, one
# wrong (to another article on the topic: the true source is not among the text's nearest).
FAMILY_STYLE_GAP = 0.4
# ... and the source preference (containment and names asymmetry with relative style) need only
# lean to the original by this much, not ROOT_MIN_PREFERENCE: a paraphrase keeps its article's
# length and names, so the asymmetry is small (LLMFake: the paraphrases of such families left
# unlinked had preferences of 0.1-0.3). 0.9558/0.8535 -> 0.9548/0.8607: 11 more right, 2 wrong,
# both to one rewrite acting as the original of a family whose article reads LLM-written itself;
# 0.0 / 0.2: 0.9541/0.8614 / 0.9554/0.8581.
MODEL_FAMILY_MIN_PREFERENCE = 0.1
# Versions of one story (see _pick_versions): candidate sources that are duplicates or near
# copies of each other and explain the document within this margin of each other.
VERSION_EXPLAIN_MARGIN = 0.05
# Spin siblings (see _no_spin_chains): the common source must account for about as much of the
# copy as the sibling does (cruft shared by two copies from one site makes up the difference);
# a shorter earlier version that lacks paragraphs the copy has is not its source.
SPIN_SIBLING_MAX_COVERAGE_LOSS = 0.3
# Copy relations: the text was taken over (verbatim, nearly, or with words swapped).
_COPY_RELATIONS = frozenset({"duplicate", "near_copy", "spun"})
# Within one outlet, a re-issue or correction appears within this many days of the story
# (Reuters: of its near copies 3 or more days apart, nearly all read as another week's report or
# another company's notice in the same wording).
OUTLET_REISSUE_MAX_DAYS = 3
# ... unless a headline says it is one: the wires' own markers of a corrected or repeated story
# ("CORRECTED - ...", "RPT - ...", "REFILE-...", "UPDATE 1-...").
_REISSUE_TITLE = re.compile(r"\W*(?:CORRECTED|CORRECTION|CORRECTS|RPT|REPEAT|REFILE|UPDATE)\b(?:\s*\d+)?\s*[-:)]")
# Distinct known artefacts that flag a document as spun even without its original present.
MIN_ARTEFACT_KINDS = 2


# How a rewrite's source was chosen, when not simply as its closest copy-like candidate.
_ROOT_NOTE = "family root: reads as the source of this text and of its closest texts (round robin of source preferences)"
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


@dataclass(frozen=True)
class PairRecord:
    features: PairFeatures
    decision: Decision


@dataclass(frozen=True)
class _Oriented:
    source: int
    derived: int
    confidence: float
    signals: tuple[Signal, ...]
    examples: tuple[tuple[str, str, str], ...]


# A related pair's decision: (cosine, decision, whether the pair is one family only by
# containment, orientation unless it is such a family pair); unrelated pairs have None.
_PairDecision = tuple[float, Decision, bool, "_Oriented | None"]


class ProvenanceIndex:
    """Everything needed to link new documents against the archive (memory linear in it)."""

    def __init__(self, background: CandidateIndex | None = None, carried: Carried | None = None) -> None:
        """``background``: the whole archive's candidate index when this index holds only part of
        it (see archive.provenance_store.update); word frequencies are then the archive's.
        ``carried``: document analyses and pair features that earlier indexes of the same
        run computed from the same texts; this one takes them from there and adds its own."""
        self.carried = carried
        self.docs: dict[int, DocInput] = {}
        self.outlet: dict[int, str | None] = {}  # each document's outlet, normalised (see _same_outlet)
        self.tokens: dict[int, Tokens] = {}
        # Alignment tables, built on first use: each linking worker builds those of the pairs it
        # aligns, which costs less than sending them between processes.
        self.prepared: dict[int, Prepared] = {}
        self.body_terms: dict[int, np.ndarray] = {}
        self.opening: dict[int, np.ndarray] = {}  # see OPENING_TERMS
        self.anchors: dict[int, Anchors] = {}
        self.traits: dict[int, DocTraits] = {}
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
        # (originals, each text's original by opening (_best_held)) for one result(): the
        # consensus rounds ask again for mostly the same texts and originals.
        self._by_opening: tuple[tuple[int, ...], dict[int, int | None]] | None = None
        # Holds the candidate index's search open from an update's candidate search (or else the
        # first search of the choice of sources) until result() has chosen sources, so all of
        # them share one (see _hold_search, _neighbours).
        self._search_scope: ExitStack | None = None
        self._why: dict[int, str] = {}
        # The rewrites each text sources by the pairs' own evidence, as _choose_parents found them
        # before the family rules moved any (see _sources_models_family).
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
            meanwhile=lambda: self.candidates.add_many([(doc.id, tokens_of[doc.id]) for doc in new]))))
        for doc in new:
            self._add(doc, tokens_of[doc.id], known[doc.id] if doc.id in known else analysed[doc.id])
        if carried is not None:
            carried.keep_analyses(analysed)
            carried.reused_analyses, carried.computed_analyses = len(known), len(analysed)
        new_ids = [d.id for d in new]
        self._follow_frequencies()
        # Candidate search and the choice of candidates read the index only: on every core too,
        # sharing one inverted index built before the workers fork.
        if ranked is None:
            planned = new_ids
            self._prime_weights(self.docs)
            self._hold_search()
            plans = map_shares_forked(self._to_align, new_ids)
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
        self.outlet[doc.id] = doc.source.strip().lower() if doc.source and doc.source.strip() else None
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

    def _orient(self, rec: PairRecord) -> _Oriented:
        f = rec.features
        a, b = f.a, f.b
        p, signals, examples = direction(
            f, self.tokens[a], self.tokens[b], self.docs[a].text, self.docs[b].text,
            self.traits[a], self.traits[b], self._freq, self.candidates.archive_size,
            rewrite=rec.decision.relation not in ("duplicate", "near_copy", "spun"),
            llm_styled=(self._llm_styled(a), self._llm_styled(b)),
        )
        if p > 0.5 or (p == 0.5 and self._earlier(a, b)):
            return _Oriented(a, b, p, tuple(signals), tuple((x, y, s) for x, y, s in examples))
        return _Oriented(b, a, 1.0 - p, tuple(signals), tuple((y, x, "b" if s == "a" else "a") for x, y, s in examples))

    def _choose_parents(self, oriented: dict[tuple[int, int], _Oriented]) -> dict[int, tuple[int, int]]:
        """derived id -> key of the pair naming its source: one source per derived document.

        First the candidate that best explains the document; then, when that candidate p has a
        source q of its own that is also a source candidate of the document d, and d still has
        words of q that p replaced (or lacks most words p put in), q instead: d did not come
        from p's text, so p and d are sibling copies of q, not source and copy. (A spinner with
        a fixed dictionary makes siblings share synonyms, hence the first test.) Rewrites are
        also re-pointed at the root of their family, before and after that (_family_roots).
        A rewrite's candidate that reads as LLM-written as the rewrite itself is not a source.
        """
        options: dict[int, dict[int, tuple[tuple[int, int], float]]] = {}
        best: dict[int, tuple[float, float, float, int]] = {}
        ranks: dict[int, dict[int, tuple[tuple[float, float, float, int], tuple[int, int]]]] = {}
        parent: dict[int, tuple[int, int]] = {}
        promoted: set[tuple[int, int]] = set()
        self._why = {}
        for key, o in oriented.items():
            relation = self.pairs[key].decision.relation
            if relation not in DERIVATIONS:
                continue
            if relation == "rewrite" and (self._llm_styled(o.source) or self._llm_like_source(o.source, o.derived)
                                          and not self._reads_as_source(o.source, o.derived)):
                # An LLM-styled text rewritten again is rarer than two sibling rewrites; a somewhat
                # LLM-like candidate still sources d when it clearly reads as d's source (holds
                # more of d than d of it, more varied sentences): a sibling does not.
                continue
            explains = self._explains(key, o)
            options.setdefault(o.derived, {})[o.source] = (key, explains)
            # Ties (several archive documents with the same text) go to the first version, the
            # original issue; the others are listed in the link's evidence.
            published = self.docs[o.source].published_at
            rank = (round(explains + PARENT_DIRECTION_BONUS * (o.confidence - 0.5), 6), round(o.confidence, 6),
                    -published.timestamp() if published else float("-inf"), -o.source)
            ranks.setdefault(o.derived, {})[o.source] = (rank, key)
            if o.derived not in best or rank > best[o.derived]:
                best[o.derived] = rank
                parent[o.derived] = key
                self._why[o.derived] = "best"

        # What each text sources by the pairs alone, before the family rules.
        self._pairwise_rewrites = {}
        for x, q in self._rewrite_sources(oriented, parent, promoted).items():
            self._pairwise_rewrites.setdefault(q, []).append(x)
        self._family_roots(oriented, parent, promoted, set())
        # Documents re-pointed at the common source by the sibling test below keep it.
        settled: set[int] = set()
        for _ in range(REPARENT_ROUNDS):
            changed = False
            for d in sorted(parent):
                if d not in parent:
                    continue
                p = _other(parent[d], d)
                if p not in parent:
                    continue
                q = _other(parent[p], p)
                if q == d or not self._is_sibling(d, p, q):
                    continue
                dq = (min(d, q), max(d, q))
                rewrite_of_p = self.pairs[parent[d]].decision.relation == "rewrite"
                if q in options.get(d, {}):
                    # The common source itself, unless another version of it (an identical
                    # re-issue) explains d better.
                    best_other = max((r for s, r in ranks[d].items() if s != p), key=lambda r: r[0])
                    q_rank = ranks[d][q]
                    parent[d] = best_other[1] if best_other[0][0] > q_rank[0][0] + REPARENT_MARGIN else q_rank[1]
                    self._why[d] = "sibling_common"
                    changed = True
                    settled.add(d)
                elif rewrite_of_p and self._paired(dq) and not self._llm_styled(q) and self._may_take_over(q, d):
                    # d rewrites p, p derives from q and d is related to q on its own: d is a
                    # second rewrite of q (LLM rewrites of one article resemble each other more
                    # than their source), so q is its source; unless q reads as LLM output (as
                    # above, no rewrite's source: then p's own link to q is the doubtful one).
                    self._repoint(oriented, parent, promoted, d, dq, "sibling_promoted")
                    changed = True
                elif rewrite_of_p and (self._same_outlet(d, q) or self._dated_after(q, d)) and self._related_on_its_own(d, q):
                    # ... but q is d's own outlet's (its earlier report of the story: the pair
                    # is a follow-up, never a copy) or was published after d: q is not d's
                    # source, and p, made from q, shares with d only what q and d share.
                    del parent[d]
                    changed = True
                elif (rewrite_of_p and self.pairs[parent[p]].decision.relation in _COPY_RELATIONS
                      and dq in self.features and dq not in self.pairs and different_story(self.features[dq])):
                    # d reads as a rewrite of p, a copy of q, yet lacks p's own edits, and its
                    # alignment with q's text says another story (figures differ where the
                    # wording agrees: one notice's template filled in for another company, which
                    # a spinner's swaps in p made read as reworded). No source for d.
                    del parent[d]
                    changed = True
                elif self.pairs[parent[d]].decision.relation == self.pairs[parent[p]].decision.relation == "rewrite":
                    # A rewrite of a rewrite is far rarer than two rewrites of one article that
                    # only resemble each other; without a link to q, claim no source for d.
                    del parent[d]
                    changed = True
            if not changed:
                break
        self._family_roots(oriented, parent, promoted, settled)
        self._consensus_rounds(oriented, parent, promoted)
        self._no_rewrite_chains(oriented, parent, promoted)
        self._no_unsourced_sibling_sources(oriented, parent, promoted)
        self._family_hubs(oriented, parent, promoted)
        # The rules above drop or move links, so the originals are known better now: rewrites
        # go to their nearest one, and texts whose links were dropped get another round.
        self._nearest_originals(oriented, parent, promoted, repoint=True)
        self._consensus_rounds(oriented, parent, promoted)
        self._opening_sources(oriented, parent, promoted)
        self._no_spin_chains(oriented, parent)
        self._pick_versions(oriented, parent, promoted)
        self._no_cycles(oriented, parent)
        for d, key in parent.items():
            o = oriented[key]
            if key in promoted and o.derived != d:
                # Family structure overrides the pair's own (weak) direction evidence.
                oriented[key] = _Oriented(o.derived, o.source, 1.0 - o.confidence, o.signals,
                                          tuple((y, x, "b" if s == "a" else "a") for x, y, s in o.examples))
        return parent

    def _no_cycles(self, oriented: dict[tuple[int, int], _Oriented], parent: dict[int, tuple[int, int]]) -> None:
        """No text derives from itself through a chain of links (in place). Each link is chosen
        pair by pair, and a rule may move one against another's direction: a wire's story, its
        re-issue and a farm's spun copy of the re-issue, the story read as contained in the
        longer copy, made one such loop in Reuters + spun_dev. The loop's link with the weakest
        direction evidence goes, and the text it leaves is the original of the others."""
        def strength(d: int) -> float:
            o = oriented[parent[d]]
            return o.confidence if o.derived == d else 1.0 - o.confidence

        for d in cycle_breaks({d: _other(key, d) for d, key in parent.items()}, strength):
            del parent[d]
            self._why.pop(d, None)

    def _family_roots(self, oriented: dict[tuple[int, int], _Oriented], parent: dict[int, tuple[int, int]],
                      promoted: set[tuple[int, int]], settled: set[int]) -> None:
        """Re-point rewrites at the root of their family (in place).

        Rewrites of one article resemble each other more than their source, so the nearest
        text is often a sibling. The source, though, contains most of what each rewrite kept,
        while a sibling holds only what both kept, and it reads human-written relative to its
        rewrites: within the family (the document and its closest paired texts), the member
        that wins the round robin of pairwise source preferences is the original (_family_root).
        """
        neighbours = self._closest_paired()
        # A document with no copy-like source, whose family root reads as its source: a rewrite
        # loose enough to share little wording (an open-ended elaboration of the root's lead), or
        # a rewrite of the root whose pair direction pointed the other way (word-level direction
        # signals are weak between a condensed paraphrase and a longer original; the family's
        # round robin and the containment asymmetry are not).
        for d in sorted(neighbours):
            if d in parent or not self._may_have_root(d, neighbours, oriented, parent):
                continue
            if self._sources_models_family(d):
                continue  # the article of a model's family
            root = self._original_of(self._family_root([d] + neighbours[d]), oriented, parent)
            rkey = (min(d, root), max(d, root))
            # The root is paired with d, holds a fair share of d's terms, reads as its source
            # (containment asymmetry and relative style), and keeps its facts.
            if root == d or not self._could_source(root, d) or self._dated_after(root, d):
                continue
            if (self._llm_styled(root) or (self._llm_like_source(root, d) and not self._models_family(root, [d] + neighbours[d]))
                    or not self._keeps_facts(d, root)):
                continue
            if parent.get(root) == rkey:
                del parent[root]  # the same pair read the other way round: d is the rewrite
                self._why.pop(root, None)
            self._repoint(oriented, parent, promoted, d, rkey, "root_parentless")
        for d in sorted(parent):
            key = parent[d]
            if d in settled or (self.pairs[key].decision.relation != "rewrite" and key not in promoted):
                continue
            p = _other(key, d)
            # The current source competes too, even when it is not among d's closest texts.
            root = self._original_of(self._family_root([d] + sorted(set(neighbours.get(d, [])) | {p})), oriented, parent)
            if root == p:
                continue
            rkey = (min(d, root), max(d, root))
            if root == d or rkey not in self.pairs or self._same_outlet(d, root) or self._dated_after(root, d):
                continue
            if self._llm_styled(root) or self._llm_like_source(root, d):
                continue
            if ((self.pairs[rkey].decision.relation in ("related", FAMILY) or p not in parent)
                    and self._containment(d, root) < self._containment(d, p) - ROOT_HELD_MARGIN
                    and not self._reads_as_source(root, p)):
                # Only weakly similar to d, or holding far less of d than p when p has no source
                # of its own (then p may be d's true source): the root may be another story on
                # the same topic, so it replaces a source with word-level evidence only if it
                # holds about as much of d, or if it reads as that source's own source (p is then
                # d's sibling). (LLMFake: 2 rewrites taken from a sibling back to their source.)
                continue
            self._repoint(oriented, parent, promoted, d, rkey, "root_repoint" + ("2" if settled else "1"))

    def _sources_models_family(self, q: int) -> bool:
        """q sources a model's family by the pairs' own evidence: CONSENSUS_MIN_VOTES or more
        texts chose q as their rewrite source before any family rule moved a link
        (_pairwise_rewrites), and they read FAMILY_STYLE_GAP less human-written than q. q is
        then the article those rewrites were made from, not one more of them: neither its
        family root (by the round robin, a longer article on the topic can hold much of
        everyone's terms) nor its paired texts' consensus makes it a rewrite. The root rules
        may move q's rewrites elsewhere first, so what q sources now would not say it (LLMFake
        without outlets: articles taken for rewrites of another, each taking its rewrites along)."""
        own = self._pairwise_rewrites.get(q, [])
        return len(own) >= CONSENSUS_MIN_VOTES and self._models_family(q, own)

    def _models_family(self, root: int, family: list[int]) -> bool:
        """The other members of ``family`` read, by their median style preference, at least
        FAMILY_STYLE_GAP less human-written than its root: a model's rewrites of it, whose
        original is not taken for a sibling for reading somewhat LLM-like (as in
        _original_sources). LLMFake 0.9571/0.8798 -> 0.9572/0.8811 (2 rewrites linked to their
        true source, 1 to a text identical to it, 1 moved from another article to its true
        source); gap 0.3: 2 more to a text identical to the source; 0.6: only that 1; with no
        family test, 7 rewrites take siblings for their source and one of Clough's independent
        answers is linked."""
        members = [x for x in family if x != root]
        return bool(members) and statistics.median(self._style_preference(root, x) for x in members) >= FAMILY_STYLE_GAP

    def _may_have_root(self, d: int, neighbours: dict[int, list[int]], oriented: dict[tuple[int, int], _Oriented],
                       parent: dict[int, tuple[int, int]]) -> bool:
        """One of d's closest texts, or the original it copies, could be d's source as its family
        root. (Most texts copy none: their original is themselves, checked once.)"""
        for m in neighbours[d]:
            if self._could_source(m, d):
                return True
            original = self._original_of(m, oriented, parent)
            if original != m and self._could_source(original, d):
                return True
        return False

    def _closest_paired(self) -> dict[int, list[int]]:
        """Each paired document's closest partners by cosine, in id order (its family members).
        Within one result() pairs are only ever added (loose family pairs, _one_story), so the
        count of pairs tells whether the map is still current."""
        if self._closest is None or self._closest[0] != len(self.pairs):
            scored: dict[int, list[tuple[float, int]]] = {}
            for (a, b), rec in self.pairs.items():
                scored.setdefault(a, []).append((-rec.features.cosine, b))
                scored.setdefault(b, []).append((-rec.features.cosine, a))
            # The closest members only: a long-running story can pair one text with hundreds.
            self._closest = (len(self.pairs), {d: sorted(o for _, o in sorted(v)[:FAMILY_SIZE]) for d, v in scored.items()})
        return self._closest[1]

    def _could_source(self, m: int, d: int) -> bool:
        """The cheap necessary conditions for m to become d's source as its family root (checked
        for each member and its original before the family's round robin, which costs a member
        squared). Within one result() only pairs change (are added: see _closest_paired)."""
        if self._could is None or self._could[0] != len(self.pairs):
            self._could = (len(self.pairs), {})
        answers = self._could[1]
        could = answers.get((m, d))
        if could is None:
            key = (min(d, m), max(d, m))
            could = answers[(m, d)] = (
                key in self.pairs and self.pairs[key].decision.relation in ("related", FAMILY, "rewrite")
                and not self._same_outlet(d, m)
                and (self._containment(d, m) >= ROOT_MIN_CONTAINMENT or self._opening_cover(m, d) >= OPENING_FAMILY_COVER)
                and self._source_preference(m, d) >= ROOT_MIN_PREFERENCE)
        return could

    def _original_of(self, root: int, oriented: dict[tuple[int, int], _Oriented],
                     parent: dict[int, tuple[int, int]]) -> int:
        """The family's original when its root is a verbatim copy (duplicate, near or spun copy)
        of another text: a copy cannot be the original, the text it copies is. A copy that cuts
        and pastes from the original can read as human-written as it, so style alone may pick it."""
        seen = {root}
        while root in parent and self.pairs[parent[root]].decision.relation in _COPY_RELATIONS:
            root = _other(parent[root], root)
            if root in seen:
                break
            seen.add(root)
        return root

    def _no_rewrite_chains(self, oriented: dict[tuple[int, int], _Oriented], parent: dict[int, tuple[int, int]],
                           promoted: set[tuple[int, int]]) -> None:
        """A rewrite whose chosen source is itself a rewrite of q: two rewrites of one article are
        far likelier than a rewrite of a rewrite, so q is d's source when d and q are related,
        and otherwise d gets no source (in place; decided on the links as they stand, so the
        order of documents does not matter)."""
        moves: dict[int, tuple[int, int] | None] = {}
        for d in sorted(parent):
            p = _other(parent[d], d)
            if not self._rewrite_link(d, parent, promoted) or not self._rewrite_link(p, parent, promoted):
                continue
            q = _other(parent[p], p)
            if q == d:
                continue
            if self._source_preference(p, q) > 0:
                # p reads as the source of its own "source": that link is the doubtful one.
                moves[p] = None
                continue
            qkey = (min(d, q), max(d, q))
            ok = self._paired(qkey) and self._may_take_over(q, d)
            moves[d] = qkey if ok else None
        for d, qkey in sorted(moves.items()):
            if qkey is None:
                if d not in parent:
                    continue
                del parent[d]
                self._why[d] = "chain_dropped"
                continue
            self._repoint(oriented, parent, promoted, d, qkey, "chain_source")

    def _consensus_rounds(self, oriented: dict[tuple[int, int], _Oriented], parent: dict[int, tuple[int, int]],
                          promoted: set[tuple[int, int]]) -> None:
        """Link parentless texts by their family's word: a text these rules link votes in turn,
        so they are repeated until no link is added (in place)."""
        for _ in range(REPARENT_ROUNDS):
            linked = len(parent)
            self._family_consensus(oriented, parent, promoted)
            self._neighbour_consensus(oriented, parent, promoted)
            self._nearest_originals(oriented, parent, promoted, repoint=False)
            self._opening_originals(oriented, parent, promoted)
            if len(parent) == linked:
                break

    def _family_consensus(self, oriented: dict[tuple[int, int], _Oriented], parent: dict[int, tuple[int, int]],
                          promoted: set[tuple[int, int]]) -> None:
        """A parentless text d paired with CONSENSUS_MIN_VOTES or more rewrites of one q, and aligned
        with q itself, where q is the only source of d's paired rewrites that d is aligned with: d is one
        more rewrite of q when q reads as its source and d adds no figures, or when q is the
        family's original by their number and d's facts (_family_original) (in place). Loose
        rewrites (open-ended ones keep little but the lead) share too little with their source
        for the pair alone, but the family's agreement stands in for the containment test; only
        rewrite links vote, so copies and same-topic reports never do. Not a d that sources a
        model's family itself (_sources_models_family): it is their article."""
        paired_with = self._paired_texts()
        votes = _tally((d, q) for x, q in self._rewrite_sources(oriented, parent, promoted).items()
                       for d in paired_with.get(x, ()))
        moves: dict[int, tuple[int, int]] = {}
        for d, by_source in sorted(votes.items()):
            sources = [q for q in sorted(by_source) if q != d and (min(d, q), max(d, q)) in self.features]
            if (d in parent or len(sources) != 1 or by_source[sources[0]] < CONSENSUS_MIN_VOTES
                    or self._sources_models_family(d)):
                continue
            q = sources[0]
            if (q not in parent and (self._consensus_source(q, d) or self._family_original(q, d, by_source[q]))
                    and self._one_story((min(d, q), max(d, q)))):
                moves[d] = (min(d, q), max(d, q))
        for d, qkey in sorted(moves.items()):
            self._repoint(oriented, parent, promoted, d, qkey, "family_consensus")

    def _family_original(self, q: int, d: int, votes: int) -> bool:
        """q, the source of ``votes`` rewrites paired with d, is the original of d's family: at
        least CONSENSUS_FACT_VOTES of them, and d keeps q's facts (_keeps_facts). Then q reading
        somewhat LLM-like does not make it d's sibling, and the preference need only lean to it
        (_may_source_by_style as for a model's family's original). LLMFake 0.9572/0.8811 ->
        0.9566/0.8830 (3 rewrites linked to their true source and 1 to a text identical to it,
        which the precision counts wrong; none lost); at CONSENSUS_MIN_VOTES: 5 more wrong
        (rewrites taken for the source) and one of Clough's independent answers linked; without
        the lighter style test: no link more."""
        return votes >= CONSENSUS_FACT_VOTES and self._keeps_facts(d, q) and self._may_source_by_style(q, d, original=True)

    def _neighbour_consensus(self, oriented: dict[tuple[int, int], _Oriented], parent: dict[int, tuple[int, int]],
                             promoted: set[tuple[int, int]]) -> None:
        """A parentless text d among the nearest texts (by cosine) of CONSENSUS_MIN_VOTES or more
        rewrites of one q, more than of any other source, is one more rewrite of q when q reads
        as its source (the source preference, ROOT_MIN_PREFERENCE), by style alone too, and is
        neither LLM-written like it, its own outlet nor dated after it (in place). The
        containment asymmetry alone need not lean to q: an elaboration of a short article can
        hold more of it than it holds of the elaboration (LLMFake: 11 more open-ended rewrites
        linked, all to their true source; Clough, spun, Reuters, seeds unchanged). Where style
        says too little, CONSENSUS_FACT_VOTES votes and d keeping q's facts stand in for it.
        Unlike _family_consensus this needs no alignment of d with its siblings or with q: the
        loosest rewrites (open-ended elaborations of a lead) are not aligned with anything, yet their
        nearest texts are their siblings. Only rewrite links vote, so copies and same-topic
        reports never do; an archive without rewrite links costs nothing here."""
        sources = self._rewrite_sources(oriented, parent, promoted)
        if not sources:
            return
        near = self._neighbours(list(sources), NEIGHBOUR_VOTERS)
        # Parentless texts near a voter; each is then judged by its own nearest texts.
        open_ = sorted({d for x in sources for d, c in near[x] if c >= NEIGHBOUR_MIN_COSINE and d not in parent})
        own = self._neighbours(open_, NEIGHBOUR_VOTERS)
        votes = _tally((d, sources[x]) for d in open_ for x, cosine in own[d]
                       if cosine >= NEIGHBOUR_MIN_COSINE and x in sources and sources[x] != d)
        gaps = self._family_style_gaps(sources)
        originals = set(self._originals_of(sources, parent))
        moves: dict[int, tuple[int, int]] = {}
        for d, by_source in sorted(votes.items()):
            counts = sorted(by_source.values(), reverse=True)
            if counts[0] < CONSENSUS_MIN_VOTES or (len(counts) > 1 and counts[1] == counts[0]):
                continue
            q = min(s for s, n in by_source.items() if n == counts[0])
            key = (min(d, q), max(d, q))
            # Without the pair's own evidence, style must say on its own what the whole source
            # preference says elsewhere: independent texts on one topic (answers to one question,
            # reports of one event) have nearest texts that are rewrites too, but they read no
            # more machine-written than the source. In a model's family (FAMILY_STYLE_GAP, see
            # _original_sources) reading no more human than q is enough when q is also d's
            # nearest original (a farther one is likelier another article on the topic).
            # Where style says too little, d's facts may (CONSENSUS_FACT_VOTES).
            style = self._style_preference(q, d)
            facts = counts[0] >= CONSENSUS_FACT_VOTES and self._keeps_facts(d, q)
            if style < ROOT_MIN_PREFERENCE and not facts and not (style >= 0.0 and gaps.get(q, 0.0) >= FAMILY_STYLE_GAP
                                                   and next((x for x, _ in own[d] if x in originals), None) == q):
                continue
            if (q in parent or self._source_preference(q, d) < (MODEL_FAMILY_MIN_PREFERENCE if facts else ROOT_MIN_PREFERENCE)
                    or self._llm_styled(q) or self._llm_like_source(q, d) or self._same_outlet(d, q)
                    or self._dated_after(q, d) or not self._one_story(key)):
                continue
            moves[d] = key
        for d, key in sorted(moves.items()):
            self._repoint(oriented, parent, promoted, d, key, "neighbour_consensus")

    def _originals_of(self, sources: dict[int, int], parent: dict[int, tuple[int, int]]) -> list[int]:
        """The originals, in id order: the texts that source rewrites (``sources``: rewrite -> its
        source) and were not made from another text, though they may reuse part of one
        (_reuses_only_part)."""
        return sorted({q for q in sources.values() if q not in parent or self._reuses_only_part(q, parent[q])})

    def _reuses_only_part(self, q: int, key: tuple[int, int]) -> bool:
        """q's source link ``key`` is a partial reuse: a near copy whose passages cover less than
        MIN_COPY_COVERAGE of q (a quote or a paragraph taken over into an article of its own).
        Such a text is still the original of its own rewrites: a gossip item that takes three
        quoted sentences from another site's exclusive is the article its rewrites were made
        from, and the rules that look for a family's original must not pass it over."""
        return self.pairs[key].decision.relation == "near_copy" and self._covered(q, key) < MIN_COPY_COVERAGE

    def _nearest_originals(self, oriented: dict[tuple[int, int], _Oriented], parent: dict[int, tuple[int, int]],
                           promoted: set[tuple[int, int]], repoint: bool) -> None:
        """A rewrite's source is the nearest original (a text with no source of its own that
        sources rewrites: _originals_of) among its ORIGINAL_NEIGHBOURS nearest texts by cosine,
        when that original reads as its source (in place). Several rewrites of one article
        resemble each other more than the article, so a loose rewrite's nearest texts are its
        siblings and the article ranks behind them; the siblings, though, are linked as rewrites,
        while the article is the original they share. Another original further down the list is, more
        likely, another article on the same topic.

        ``repoint``: the texts with a rewrite link move to a nearer original than their source,
        when it reads as their source (_consensus_source and _reads_as_source: it holds more of
        the text than the text holds of it) and they hold at least as much of its opening as of
        their source's (LLMFake: of 22 such moves, this keeps the 16 to the true source and
        stops 2 away from it and 2 away from a text identical to it). Otherwise: a parentless
        text that sources nothing, among the nearest texts of an original, is linked to its own
        nearest original when that reads as its source and, by style alone, as more
        human-written (_original_sources; as _neighbour_consensus: independent texts on one
        topic, such as answers to one question, have nearest texts that are rewrites too, but
        read no more machine-written than the original). Only rewrite links make originals, so
        an archive without them costs nothing here."""
        sources = self._rewrite_sources(oriented, parent, promoted)
        if not sources:
            return
        originals = self._originals_of(sources, parent)
        if repoint:
            texts = list(sources)
        else:
            sourcing = {_other(key, x) for x, key in parent.items()}
            near = self._neighbours(originals, ORIGINAL_NEIGHBOURS)
            texts = sorted({d for q in originals for d, c in near[q]
                            if c >= ORIGINAL_MIN_COSINE and d not in parent and d not in sourcing})
        own = self._neighbours(texts, ORIGINAL_NEIGHBOURS)
        held = set(originals)
        gaps = {} if repoint else self._family_style_gaps(sources)
        moves: dict[int, tuple[int, int]] = {}
        for d in texts:
            # When repointing, only an original nearer than the current source p competes.
            p = _other(parent[d], d) if repoint else None
            nearer_than = self.pairs[parent[d]].features.cosine if repoint else -1.0
            q = next((x for x, c in own[d] if c >= ORIGINAL_MIN_COSINE and c > nearer_than and x in held
                      and x not in (d, p)), None)
            if q is None:
                continue
            if repoint and (not self._consensus_source(q, d) or not self._reads_as_source(q, d)
                            or self._opening_cover(q, d) < self._opening_cover(p, d)):
                # (A rewrite starts from its article's opening: a nearer original whose opening
                # it holds less of than its source's is likelier another article on the topic.)
                continue
            if not repoint and not self._original_sources(q, d, own[d], held, gaps):
                continue
            key = (min(d, q), max(d, q))
            if self._one_story(key):
                moves[d] = key
        for d, key in sorted(moves.items()):
            self._repoint(oriented, parent, promoted, d, key, "nearest_original")

    def _family_style_gaps(self, sources: dict[int, int]) -> dict[int, float]:
        """For each text with CONSENSUS_MIN_VOTES or more rewrite links (``sources``: rewrite ->
        its source), how much more human-written it reads than those rewrites: the median of its
        style preferences over them."""
        rewrites: dict[int, list[int]] = {}
        for x, q in sources.items():
            rewrites.setdefault(q, []).append(x)
        return {q: statistics.median(self._style_preference(q, x) for x in xs)
                for q, xs in rewrites.items() if len(xs) >= CONSENSUS_MIN_VOTES}

    def _original_sources(self, q: int, d: int, near: list[tuple[int, float]], originals: set[int],
                          gaps: dict[int, float]) -> bool:
        """q, the nearest original among ``near`` (d's nearest texts), sources the parentless text
        d: on its family's word (_consensus_source) when it also reads more human-written by style
        (ROOT_MIN_PREFERENCE), or without the names and figures that word needs when no other
        original comes near d (ORIGINAL_CLEAR_MARGIN) and style alone says clearly that q is the
        human original (ORIGINAL_CLEAR_STYLE): an open-ended rewrite may keep no name of its
        article, and independent texts on one topic (answers to one question) read no more
        machine-written than their original. Where d's style says too little, q's rewrites
        (``gaps``, _family_style_gaps) may: when they read FAMILY_STYLE_GAP less human-written
        than q, they are a model's, and d, reading no more human than q, is one more of them
        on the family's word, or without it when it reads as much less human than q as the
        family's word asks (ROOT_MIN_PREFERENCE, not ORIGINAL_CLEAR_STYLE), whatever the
        containment and names asymmetries say (an elaboration adds names and details of its
        own). Nor is q then taken for d's sibling for reading somewhat LLM-like
        (_llm_like_source): it is the family's original, reading far more human-written than
        its rewrites."""
        style = self._style_preference(q, d)
        models = gaps.get(q, 0.0) >= FAMILY_STYLE_GAP
        if style < ROOT_MIN_PREFERENCE:
            return style >= 0.0 and models and self._consensus_source(q, d, original=True)
        if self._consensus_source(q, d, original=models):
            return True
        cosine = dict(near)[q]
        rival = max((c for x, c in near if x in originals and x not in (q, d)), default=0.0)
        # In a model's family the rewrites' style already says what ORIGINAL_CLEAR_STYLE asks of d
        # (which reads ROOT_MIN_PREFERENCE less human-written than q, as checked above).
        if cosine - rival < ORIGINAL_CLEAR_MARGIN or not (models or style >= ORIGINAL_CLEAR_STYLE):
            return False
        if models:
            # Nor need the containment and names asymmetries lean to q: a model asked to rewrite
            # an article elaborates, adding names and details of its own, so they lean to d,
            # while style (d reads ROOT_MIN_PREFERENCE less human-written), retrieval (q is d's
            # unrivalled nearest original) and q's family already say which text is the model's.
            return not (self._same_outlet(d, q) or self._dated_after(q, d) or self._llm_styled(q))
        return self._may_source_by_style(q, d)

    def _opening_sources(self, oriented: dict[tuple[int, int], _Oriented], parent: dict[int, tuple[int, int]],
                         promoted: set[tuple[int, int]]) -> None:
        """A text d whose chosen source p opens with words d mostly lacks (d holds less than
        OPENING_ALIGN_COVER of p's opening) goes to q, an original whose opening d holds
        (OPENING_FAMILY_COVER or more), when q may source d on its family's word
        (_consensus_source) and is paired with d or, when d's link is a rewrite link, sources a
        rewrite among d's nearest texts (the lists _nearest_originals searched; the pair is
        aligned now if need be, see _one_story) (in place; decided on the links as they stand).
        An LLM rewrite of any kind starts from its article's opening, however much it rewords
        or elaborates what follows (and a copy holds it, wherever it puts it); a sibling rewrite
        opens in the model's own words, and another article on the topic with its own lead,
        though either may read more human-written or be nearer overall (LLMFake: the 9 links so
        moved were all wrong; 7 go to the true source, 2 to a text identical to it; 4 of the 9
        sources were found through d's nearest texts, the true source ranking beyond them)."""
        paired_with = self._paired_texts()
        sources = self._rewrite_sources(oriented, parent, promoted)
        near = self._neighbours(list(sources), ORIGINAL_NEIGHBOURS)
        moves: dict[int, tuple[int, int]] = {}
        for d in sorted(parent):
            p = _other(parent[d], d)
            if self._opening_cover(p, d) >= OPENING_ALIGN_COVER:
                continue
            close = paired_with.get(d, set())
            if d in sources:
                close = close | {sources[x] for x, c in near[d] if c >= ORIGINAL_MIN_COSINE and x in sources}
            others = [q for q in sorted(close) if q not in (d, p) and q not in parent]
            best: tuple[float, int] | None = None
            for q, cover in zip(others, self._opening_covers(others, d)):
                if cover >= OPENING_FAMILY_COVER and (best is None or cover > best[0]) and self._consensus_source(q, d):
                    best = (cover, q)
            if best is not None:
                key = (min(d, best[1]), max(d, best[1]))
                if self._one_story(key):
                    moves[d] = key
        for d, qkey in sorted(moves.items()):
            self._repoint(oriented, parent, promoted, d, qkey, "opening_source")

    def _opening_originals(self, oriented: dict[tuple[int, int], _Oriented], parent: dict[int, tuple[int, int]],
                           promoted: set[tuple[int, int]]) -> None:
        """A parentless text d that sources nothing goes to the original q whose opening it holds most,
        when it holds OPENING_FAMILY_COVER of it or more and q may source d by style
        (_may_source_by_style, as a model's family's original when its rewrites say so) (in place).
        The originals' openings are a second way to a loose rewrite's source beside its nearest
        texts by cosine: an open-ended rewrite elaborates its article's lead in a model's words, and
        in an archive of such rewrites its nearest texts are other rewrites sharing that vocabulary,
        of other articles more often than of its own (LLMFake: of the 53 unlinked rewrites whose source
        is not among their 12 nearest texts, 431 of the 636 texts on those lists are rewrites of
        other articles; the source ranks 27th by cosine at the median, and a fetch of 16 instead of
        12 would reach only 7 of them; but 28 hold the source's opening at least as much as any
        other article's). The source finds its rewrites, not the reverse: only originals (texts
        sourcing rewrites) are searched, so an archive without rewrite links costs nothing."""
        sources = self._rewrite_sources(oriented, parent, promoted)
        if not sources:
            return
        originals = self._originals_of(sources, parent)
        sourcing = {_other(key, x) for x, key in parent.items()}
        texts = [d for d in sorted(self.docs) if d not in parent and d not in sourcing]
        if not texts:
            return
        best = self._by_opening_original(texts, originals)
        gaps = self._family_style_gaps(sources)
        moves: dict[int, tuple[int, int]] = {}
        for d in texts:
            q = best[d]
            if q is None:
                continue
            if self._may_source_by_style(q, d, original=gaps.get(q, 0.0) >= FAMILY_STYLE_GAP):
                key = (min(d, q), max(d, q))
                if self._one_story(key):
                    moves[d] = key
        for d, key in sorted(moves.items()):
            self._repoint(oriented, parent, promoted, d, key, "opening_original")

    def _by_opening_original(self, texts: list[int], originals: list[int]) -> dict[int, int | None]:
        """Each text's original by opening (_best_held), searched once per result() while the
        originals stay the same (a round that links no original's rewrite leaves them so)."""
        key = tuple(originals)
        if self._by_opening is None or self._by_opening[0] != key:
            self._by_opening = (key, {})
        best = self._by_opening[1]
        todo = [d for d in texts if d not in best]
        if todo:
            held = _openings_held([self.body_terms[d] for d in todo], [self.opening[q] for q in originals],
                                  [self._opening_weights(q) for q in originals], OPENING_FAMILY_COVER)
            best.update(zip(todo, _best_held(held, todo, originals)))
        return best

    def _neighbours(self, doc_ids: list[int], k: int) -> dict[int, list[tuple[int, float]]]:
        """candidates.neighbours(doc_ids, k), each list searched once per result() (see _near),
        in one search index for the whole choice of sources (_search_scope; built at the first
        list not yet searched: the rules search in turn, rounds after rounds, and a whole build
        prepares the index anew for each search block)."""
        held = self._near.setdefault(k, {})
        missing = [d for d in doc_ids if d not in held]
        if missing:
            with ExitStack() as local:
                # Inside an open block another block is free: it shares the outer one's index.
                (self._search_scope or local).enter_context(self.candidates.searching())
                held.update(self.candidates.neighbours(missing, k=k))
        return {d: held[d] for d in doc_ids}

    def _rewrite_sources(self, oriented: dict[tuple[int, int], _Oriented], parent: dict[int, tuple[int, int]],
                         promoted: set[tuple[int, int]]) -> dict[int, int]:
        """The voters of the consensus rules: each text whose chosen source link is a rewrite link
        (by its relation or promoted to one), in id order, with that source."""
        return {x: _other(parent[x], x) for x in sorted(parent) if self._rewrite_link(x, parent, promoted)}

    def _one_story(self, key: tuple[int, int]) -> bool:
        """The aligned pair ``key`` is a pair (any relation), or, when too loose for one, its
        numbers do not tell another story: then it is kept as a loose family pair (in place), which
        only the family's agreement can make a link (an open-ended rewrite may share little more
        than its source's lead)."""
        if key in self.pairs:
            return True
        f = self.features.get(key)
        if f is None:
            # Not aligned when its texts were added (see _neighbour_consensus): aligned now, for
            # this result only, so that re-deciding gives the same links.
            a, b = key
            f = self._pair_features(a, b, 0.0)
        if different_story(f):
            return False
        cosine = float(self.candidates.pair_cosines([key[0]], [key[1]])[0])
        note = f"aligned, too loose for a relation by itself (cosine {cosine:.2f}, {f.shared_names} shared names)"
        self.pairs[key] = PairRecord(f.with_cosine(cosine), Decision(FAMILY, round(cosine, 3), (note,)))
        self._loose.add(key)
        return True

    def _paired_texts(self) -> dict[int, set[int]]:
        """Each document's partners in pairs with any relation (family pairs included)."""
        paired_with: dict[int, set[int]] = {}
        for a, b in self.pairs:
            paired_with.setdefault(a, set()).add(b)
            paired_with.setdefault(b, set()).add(a)
        return paired_with

    def _consensus_source(self, q: int, d: int, original: bool = False) -> bool:
        """q may source d on its family's word (see _family_consensus): another outlet, not dated
        after d, reads as d's source and not LLM-written like it, shares a few of d's names, and
        d brings at most ROOT_MAX_OWN_NUMBERS figures q lacks where q accounts for d.
        ``original``: as _may_source_by_style."""
        if not self._may_source_by_style(q, d, original):
            return False
        shared_names = len(self.anchors[d].names & self.anchors[q].names)
        _, own_numbers = self._kept_span(d, q)
        return shared_names >= CONSENSUS_MIN_NAMES and (own_numbers <= ROOT_MAX_OWN_NUMBERS or self.cut_off[q])

    def _may_source_by_style(self, q: int, d: int, original: bool = False) -> bool:
        """q may source d as far as outlets, dates, style and the source preference tell: another
        outlet, not dated after d, not LLM-written itself or like d, preferred as d's source by at
        least ROOT_MIN_PREFERENCE. ``original``: q is known as the original of a model's family
        (FAMILY_STYLE_GAP), so reading somewhat LLM-like does not make it d's sibling, and the
        preference need only be MODEL_FAMILY_MIN_PREFERENCE."""
        least = MODEL_FAMILY_MIN_PREFERENCE if original else ROOT_MIN_PREFERENCE
        return not (self._same_outlet(d, q) or self._dated_after(q, d) or self._llm_styled(q)
                    or (not original and self._llm_like_source(q, d))
                    or self._source_preference(q, d) < least)

    def _rewrite_link(self, x: int, parent: dict[int, tuple[int, int]], promoted: set[tuple[int, int]]) -> bool:
        """x's chosen source link is a rewrite link (by its relation, or promoted to one)."""
        key = parent.get(x)
        return key is not None and (key in promoted or self.pairs[key].decision.relation == "rewrite")

    def _may_take_over(self, q: int, d: int) -> bool:
        """q, paired with d, may become d's source in place of a sibling: the pair relates them,
        and q is neither d's own outlet nor published after d."""
        key = (min(d, q), max(d, q))
        return (self.pairs[key].decision.relation in DERIVATIONS | {"related", FAMILY}
                and not self._same_outlet(d, q) and not self._dated_after(q, d))

    def _no_unsourced_sibling_sources(self, oriented: dict[tuple[int, int], _Oriented],
                                      parent: dict[int, tuple[int, int]], promoted: set[tuple[int, int]]) -> None:
        """A rewrite d whose chosen source p has no source of its own, while texts paired with p
        are rewrites of one q that reads as p's source too and sources more rewrites than p
        does: p is most likely one more rewrite of q (its own link to q was too loose to make),
        so d and p are siblings. Then q is d's source when d and q are paired and p clearly
        reads as q's rewrite (two reports of one topic can lean either way: d then keeps p), and
        otherwise d gets no source (in place; decided on the links as they stand)."""
        linked_to: dict[int, set[int]] = {}
        for x, q in self._rewrite_sources(oriented, parent, promoted).items():
            linked_to.setdefault(q, set()).add(x)
        paired_with = self._paired_texts()
        moves: dict[int, tuple[int, int] | None] = {}
        for d in sorted(parent):
            p = _other(parent[d], d)
            if not self._rewrite_link(d, parent, promoted) or p in parent:
                continue
            # q must also be the source of more rewrites than p: the family's root by its links
            # (a source stored cut off can read as the rewrite of a long rewrite of it).
            sources = sorted(q for q, xs in linked_to.items()
                             if q not in (d, p) and (xs & paired_with.get(p, set())) - {d}
                             and len(xs) > len(linked_to.get(p, ()))
                             and (min(p, q), max(p, q)) in self.pairs and self._leans_source(q, p)
                             and not self._llm_styled(q) and not self._llm_like_source(q, p))
            if not sources:
                continue
            q = max(sources, key=lambda x: (round(self._source_preference(x, d), 6), -x))
            qkey = (min(d, q), max(d, q))
            ok = qkey in self.pairs and self._may_take_over(q, d)
            if ok and not self._reads_as_source(q, p):
                continue  # p only leans to q's rewrite: d keeps the source it reads closest to
            moves[d] = qkey if ok else None
        for d, qkey in sorted(moves.items()):
            if qkey is None:
                del parent[d]
                self._why[d] = "sibling_source_dropped"
            else:
                self._repoint(oriented, parent, promoted, d, qkey, "sibling_source")

    def _family_hubs(self, oriented: dict[tuple[int, int], _Oriented], parent: dict[int, tuple[int, int]],
                     promoted: set[tuple[int, int]]) -> None:
        """A rewrite d whose chosen source p has no source of its own goes to q, a text paired
        with d that reads more as d's source than p does and is already the source of as many
        rewrites as p or more (d counted for p; two at least): the hub of a star of rewrites. Several
        rewrites of one article each resemble their sibling more than the article, so a rewrite
        whose nearest text is a sibling that found no source of its own takes that sibling; the
        text that sources its other siblings, and reads as its source, is the one they share.
        q is an original itself (no source, or only as a verbatim copy of another text: its text is
        the article's), another outlet, not dated after d, and not LLM-written like d (in place;
        decided on the links as they stand). LLMFake: the tie and the copy each move rewrites off a
        sibling rewrite that sources one other sibling, 3 links, all to the true source."""
        linked_to: dict[int, int] = {}
        for q in self._rewrite_sources(oriented, parent, promoted).values():
            linked_to[q] = linked_to.get(q, 0) + 1
        paired_with = self._paired_texts()
        moves: dict[int, tuple[int, int]] = {}
        for d in sorted(parent):
            if not self._rewrite_link(d, parent, promoted):
                continue
            p = _other(parent[d], d)
            if p in parent:
                continue
            current = self._source_preference(p, d)
            best: tuple[float, int] | None = None
            for q in sorted(paired_with.get(d, ())):
                # A verbatim copy of an article sources rewrites as the article would. p's count
                # includes d, so a tie is a hub as well sourced without d: of CONSENSUS_MIN_VOTES
                # rewrites at least (one other rewrite each is no family's word).
                copy_of = q in parent and self.pairs[parent[q]].decision.relation in _COPY_RELATIONS
                if (q in (p, d) or (q in parent and not copy_of)
                        or linked_to.get(q, 0) < max(linked_to.get(p, 0), CONSENSUS_MIN_VOTES)):
                    continue
                pref = self._source_preference(q, d)
                if pref <= current or self._llm_styled(q) or self._llm_like_source(q, d) or not self._may_take_over(q, d):
                    continue
                if best is None or pref > best[0]:
                    best = (pref, q)
            if best is not None:
                moves[d] = (min(d, best[1]), max(d, best[1]))
        for d, qkey in sorted(moves.items()):
            self._repoint(oriented, parent, promoted, d, qkey, "family_hub")

    def _no_spin_chains(self, oriented: dict[tuple[int, int], _Oriented], parent: dict[int, tuple[int, int]]) -> None:
        """A spun copy d whose chosen source p is itself a copy of q, while d is a spun copy of q
        in its own right: q is d's source (in place). Independent spins of one original are far
        commoner than a spin of a spin, and a spinner with a fixed dictionary makes the heavier
        of two spins of q contain the lighter one's swaps, so the text cannot tell the chain
        from two siblings; the original is the claim the evidence supports (p stays related).
        The reverse case, d keeping words p swapped, is already caught by _is_sibling. Not when
        p is q's own re-issue (same outlet): then p is a version of the story, not a copy; nor
        when d reproduces p word for word: then d was taken from p (or p from d)."""
        moves: dict[int, tuple[int, int]] = {}
        for d in sorted(parent):
            key = parent[d]
            o = oriented[key]
            if o.derived != d or self.pairs[key].decision.relation not in ("near_copy", "spun") or not self._reworded(key):
                continue  # a verbatim copy of p was taken from p (or p from it)
            pkey = parent.get(o.source)
            if pkey is None or self.pairs[pkey].decision.relation not in _COPY_RELATIONS:
                continue
            p, q = o.source, _other(pkey, o.source)
            qkey = (min(d, q), max(d, q))
            rec = self.pairs.get(qkey)
            if q == d or rec is None or rec.decision.relation != "spun" or qkey not in oriented or self._same_outlet(p, q):
                continue
            if oriented[qkey].source == q and self._covered(d, qkey) >= self._covered(d, key) - SPIN_SIBLING_MAX_COVERAGE_LOSS:
                moves[d] = qkey
        for d, qkey in sorted(moves.items()):
            parent[d] = qkey
            self._why[d] = "spin_siblings"

    def _pick_versions(self, oriented: dict[tuple[int, int], _Oriented], parent: dict[int, tuple[int, int]],
                       promoted: set[tuple[int, int]]) -> None:
        """When d's source exists in several versions (re-issues: duplicates or near copies of
        each other that explain d about equally well), the version whose distinguishing surface
        details (spelling, case, line layout, headline words) d shares most (versions.py); when
        none does, the current choice (the earliest issue) stays. In place."""
        by_derived: dict[int, dict[int, tuple[int, int]]] = {}
        for key, o in oriented.items():
            if self.pairs[key].decision.relation in DERIVATIONS:
                by_derived.setdefault(o.derived, {})[o.source] = key
        surfaces: dict[int, Surface] = {}

        def surface(x: int) -> Surface:
            if x not in surfaces:
                cruft = [(m.start, m.end) for m in self.markers[x] if m.kind == "cruft"]
                surfaces[x] = Surface.of(self.docs[x].text, self.docs[x].title, cruft)
            return surfaces[x]

        for d in sorted(parent):
            key = parent[d]
            if key in promoted or oriented[key].derived != d or self._why.get(d) == "spin_siblings":
                continue  # (a sibling copy shares d's swaps: that agreement is the spinner's)
            p = _other(key, d)
            explains = self._explains(key, oriented[key])
            options = by_derived.get(d, {})
            versions = [s for s, k in sorted(options.items()) if s != p and self._are_versions(s, p)
                        and abs(self._explains(k, oriented[k]) - explains) <= VERSION_EXPLAIN_MARGIN]
            if not versions:
                continue
            chosen = best_version(surface(d), {v: surface(v) for v in [p, *versions]}, [p, *versions])
            if chosen != p:
                parent[d] = options[chosen]
                self._why[d] = "version"

    def _reworded(self, key: tuple[int, int]) -> bool:
        """The pair differs by word swaps (as a spun pair does; a same-outlet pair is called
        near_copy whatever its swaps), so each text may be a separate spin of a third."""
        al = self.pairs[key].features.alignment
        return al.substitution_rate >= SPUN_MIN_RATE and len(al.substitutions) >= SPUN_MIN_SUBS

    def _covered(self, d: int, key: tuple[int, int]) -> float:
        """Share of d inside the passages aligned with the other text of the pair ``key``."""
        f = self.pairs[key].features
        return f.alignment.coverage_a if d == f.a else f.alignment.coverage_b

    def _are_versions(self, a: int, b: int) -> bool:
        """a and b are issues of one story: duplicates, or near copies by one outlet (its re-issues
        and corrections). A near copy by another or an unknown outlet is a copy, whose own edits a
        sibling may share (_no_spin_chains judges those)."""
        rec = self.pairs.get((min(a, b), max(a, b)))
        if rec is None:
            return False
        return rec.decision.relation == "duplicate" or rec.decision.relation == "near_copy" and self._same_outlet(a, b)

    def _repoint(self, oriented: dict[tuple[int, int], _Oriented], parent: dict[int, tuple[int, int]],
                 promoted: set[tuple[int, int]], d: int, key: tuple[int, int], why: str) -> None:
        """Make the pair ``key`` d's source link, overriding the pair's own direction (promoted)."""
        if key not in oriented:
            oriented[key] = self._orient(self.pairs[key])
        parent[d] = key
        promoted.add(key)
        self._why[d] = why

    def _dated_after(self, a: int, b: int) -> bool:
        """a is known to be published after b: it cannot be b's source, whatever its family.
        Undated, a is known to be later when every year it names comes after b's year and the
        next: a text naming 2018 was written then or later, and in an archive of many kinds an
        article with a family of rewrites may otherwise take a 1987 story for one more of them.
        A year it names up to b's next may be a forecast, and an earlier one says it may be older."""
        da, db = self.docs[a].published_at, self.docs[b].published_at
        if da is None and db is not None:
            years = _years_named(self.docs[a].text)
            return bool(years) and min(years) > db.year + 1
        return bool(da and db and (da - db).total_seconds() >= MIN_DATE_GAP_SECONDS)

    def _keeps_facts(self, d: int, m: int) -> bool:
        """A loose rewrite d keeps m's facts and adds none of its own: d is long enough to judge,
        shares several names, and in the part of d that m accounts for (_kept_span) has most of
        its names/numbers in m and no number m lacks (separate reports of one event each bring
        their own figures); beyond that part d may elaborate or go on where a source stored cut
        off stops."""
        kept, own_numbers = self._kept_span(d, m)
        if self.cut_off[m]:
            own_numbers = 0
        shared_names = len(self.anchors[d].names & self.anchors[m].names)
        return (self.traits[d].words >= ROOT_MIN_WORDS and shared_names >= ROOT_MIN_NAMES
                and own_numbers <= ROOT_MAX_OWN_NUMBERS and kept >= ROOT_MIN_KEPT_DETAILS)

    def _kept_span(self, d: int, m: int) -> tuple[float, int]:
        """(share of d's names and numbers that m has, d's numbers that m lacks), both counted
        over d's details in order of first mention up to the one by which ROOT_KEPT_SPAN of the
        details d shares with m have come."""
        hashes, is_number = self.details[d]
        am = self.anchors[m]
        held = np.fromiter((h in am.names or h in am.numbers for h in hashes.tolist()), dtype=bool, count=hashes.shape[0])
        total = int(held.sum())
        if total == 0:
            return 0.0, int(is_number.sum())
        seen = np.cumsum(held)
        span = int(np.searchsorted(seen, math.ceil(ROOT_KEPT_SPAN * total))) + 1
        return float(seen[span - 1]) / span, int((is_number[:span] & ~held[:span]).sum())

    def _family_root(self, family: list[int]) -> int:
        """The member that reads as the source of the others: a round robin of pairwise
        preferences (_source_preference), each squashed so that no single pair decides. The
        common source beats every rewrite of it, while siblings beat each other about half the
        time, so summing over the family is steadier than any one pair."""
        def score(m: int) -> float:
            return sum(math.tanh(ROOT_PREFERENCE_SCALE * self._source_preference(m, x)) for x in family if x != m)
        return max(family, key=lambda m: (round(score(m), 6), -m))

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
        if any(_REISSUE_TITLE.match(self.docs[x].title or "") for x in key):
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

    def _another_company(self, a: int, b: int, al: Alignment, changed_figures: int, relation: str) -> str | None:
        why = self._another_company_by(a, b, self._lead(a), self._lead(b), self._named_in, al, changed_figures, relation)
        if why is not None and (lead_joins_words(self.docs[a].text) or lead_joins_words(self.docs[b].text)):
            # A copy that writes its source's em dashes as hyphens joins the words on either side
            # ("love-Valentine's Day-and"): its lead holds other tokens, not other names. Asked
            # again with such words taken one by one (only here: most pairs are no template).
            why = self._another_company_by(a, b, self._unjoined_lead(a), self._unjoined_lead(b), self._names, al,
                                           changed_figures, relation)
        return why

    def _another_company_by(self, a: int, b: int, leading_a: tuple[Lead, np.ndarray], leading_b: tuple[Lead, np.ndarray],
                            names: Callable[[int], np.ndarray], al: Alignment, changed_figures: int,
                            relation: str) -> str | None:
        """_another_company with the leads and protagonists ``leading_a`` / ``leading_b``, and
        ``names`` for what a text names."""
        (lead_a, pa), (lead_b, pb) = leading_a, leading_b
        unspun = relation != "spun"
        if unspun and bool(pa.shape[0]) != bool(pb.shape[0]):
            # A lead whose names are all common in the archive ("Chemical Bank said ...") still
            # names its subject, its least common name, when the other lead names a protagonist
            # (two leads without one are routine reports or tables: their names say little). Not
            # for spun pairs, where such a name may be one of the spinner's swaps ("Northern" ->
            # "Northerly").
            pa, pb = (pa if pa.shape[0] else self._subject(a)), (pb if pb.shape[0] else self._subject(b))
        some_figures_differ = bool(changed_figures) or figures_differ(lead_a, lead_b)
        by_leads = False
        if not protagonists_apart(pa, names(a), pb, names(b)):
            if not unspun:
                return None  # most pairs: rare names are not needed
            # The protagonists may include a name the template itself gives in both leads, or one
            # company's report may name the other further down: then the names each lead has and
            # the other's lacks tell them apart (no spinner's work: only names were changed).
            own_a, own_b = self._own_names(lead_a, lead_b), self._own_names(lead_b, lead_a)
            if not leads_apart(lead_a, own_a, self.tokens[a].hashes, lead_b, own_b, self.tokens[b].hashes,
                               some_figures_differ):
                return None
            pa, pb = own_a[0], own_b[0]
            by_leads = True
        why = another_company(some_figures_differ, max(al.coverage_a, al.coverage_b), self._rare_names(a), self._rare_names(b),
                              unspun)
        if why is None:
            return None
        spelt_a, spelt_b = self._spellings(a, pa), self._spellings(b, pb)
        if spelt_alike(spelt_a, spelt_b):
            return None  # a correction of a misspelt name, not two companies
        if by_leads:  # one text may name the other's company further down: say what was compared
            why = why.replace("neither text names the other's protagonist",
                              f"their leads name other companies ({' '.join(spelt_a)} / {' '.join(spelt_b)})")
        return why

    def _names(self, x: int) -> np.ndarray:
        """What x names, to look for the protagonists of another lead in: its words and headline
        (_named_in), the words its hyphens join, one by one, and the words a line-end hyphen
        splits, whole, as _unjoined_lead reads the leads: a lead's "Texas" is named by a text that
        says "Texas-based", a source's "Valentine's" by a copy that joined it to the word before
        ("love-Valentine's"), and "Schwarzenegger" by a copy set for print ("Schwarz-" / "enegger")."""
        named = self._named_in(x)
        title = self.docs[x].title
        text = self.docs[x].text + ("\n" + title if title else "")
        joined = _JOINED.findall(text)
        if joined:
            named = np.concatenate([named, tokenize(" ".join(joined).replace("-", " ")).hashes])
        split = _SPLIT_AT_LINE_END.findall(text)
        if split:
            named = np.concatenate([named, tokenize(" ".join(a + b for a, b in split)).hashes])
        return named

    def _named_in(self, x: int) -> np.ndarray:
        """The token hashes of x's text and headline: a text names what its headline names. A
        spinner swaps a name in one place and keeps it in another ("Bank of Spain" -> "Bank of
        Espana" in the text, "Spain" kept in the headline), and an ingest that stores the headline
        apart leaves it out of the text."""
        title = self.docs[x].title
        hashes = self.tokens[x].hashes
        if not title:
            return hashes
        # (Asked for each pair a text is in: the headline is tokenised once.)
        title_hashes = self._title_hashes.get(x)
        if title_hashes is None:
            title_hashes = self._title_hashes[x] = tokenize(title).hashes
        return np.concatenate([hashes, title_hashes])

    def _same_outlet(self, a: int, b: int) -> bool:
        oa = self.outlet[a]
        return oa is not None and oa == self.outlet[b]

    def _llm_styled(self, doc_id: int) -> bool:
        """The text reads as LLM output on its own: LLM-favoured words or style markers at a high
        rate, or a model's framing of its reply or repetition loop (which no published article
        holds)."""
        t = self.traits[doc_id]
        return t.framing > 0 or t.llm_words >= LLM_STYLED_WORDS or self._ai_density(doc_id) >= AI_REWRITE_DENSITY

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
        return 100.0 * t.ai_markers / max(t.words, 50)

    def _is_sibling(self, d: int, p: int, q: int) -> bool:
        """True when d cannot have been made from p alone: it keeps words of q that p removed,
        or lacks most of the words p put in."""
        bp, bq, bd = self.body_terms[p], self.body_terms[q], self.body_terms[d]
        # Body terms are sorted and distinct: sets.in_sorted gives np.setdiff1d's and np.isin's results.
        removed_by_p = bq[~in_sorted(bq, bp)]
        if removed_by_p.shape[0] >= MIN_EDIT_TERMS:
            if float(in_sorted(removed_by_p, bd).mean()) >= MIN_RESTORED_SHARE:
                return True
        added_by_p = bp[~in_sorted(bp, bq)]
        if added_by_p.shape[0] < MIN_EDIT_TERMS:
            return False  # p is (nearly) q itself: nothing to inherit, keep the closer one
        return float(in_sorted(added_by_p, bd).mean()) < MAX_INHERITED_SHARE

    def _explains(self, key: tuple[int, int], o: _Oriented) -> float:
        """How much of the derived text the source accounts for: reused passages and shared terms.

        Measured on the derived side (not a symmetric similarity), so a sibling copy, which
        shares with the document only what both took from the common source, ranks below it.
        """
        f = self.pairs[key].features
        al = f.alignment
        cov = al.coverage_a if o.derived == f.a else al.coverage_b
        terms = f.terms_a if o.derived == f.a else f.terms_b
        return 0.5 * cov * (1.0 - al.substitution_rate) + 0.5 * f.shared_content / max(1, terms)

    def _earlier(self, a: int, b: int) -> bool:
        """Tie-break for unknown direction: earlier date, then smaller id."""
        da, db = self.docs[a].published_at, self.docs[b].published_at
        if da and db and da != db:
            return da < db
        return a < b

    def _decide(self) -> dict[tuple[int, int], _Oriented]:
        """Classify every aligned pair with cosines from the archive as it is now, so that one
        build and a series of updates decide the same pairs the same way; returns the
        orientation of each pair linked by its own relation (family pairs are oriented on
        demand, when a sibling is re-linked)."""
        keys = sorted(self.features)
        decided = self._decisions(keys)
        self.pairs = {}
        self._loose = set()
        oriented: dict[tuple[int, int], _Oriented] = {}
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

    def _same_event(self, a: int, b: int) -> bool:
        """A related pair stays linked only when the two leads report one event (see
        clusters.same_event); protagonists are the leads' rarest names in this archive."""
        (la, pa), (lb, pb) = self._lead(a), self._lead(b)
        return same_event(la, pa, lb, pb, self._gap_seconds(a, b))

    def _gap_seconds(self, a: int, b: int) -> float | None:
        """Seconds between the two publication dates; None when either is unknown."""
        da, db = self.docs[a].published_at, self.docs[b].published_at
        return abs((da - db).total_seconds()) if da and db else None

    def _lead(self, x: int) -> tuple[Lead, np.ndarray]:
        if x not in self._lead_cache:
            lead = lead_of(self.docs[x].text, self.tokens[x])
            self._lead_cache[x] = (lead, protagonists(lead, self._freq(lead.names), self.candidates.archive_size))
        return self._lead_cache[x]

    def _unjoined_lead(self, x: int) -> tuple[Lead, np.ndarray]:
        """x's lead and protagonists (_lead) with the words a hyphen joins taken one by one (see
        _another_company; not cached: asked of few pairs)."""
        text = self.docs[x].text
        if not lead_joins_words(text):
            return self._lead(x)
        lead = lead_of(text, split_hyphens=True)
        return lead, protagonists(lead, self._freq(lead.names), self.candidates.archive_size)

    def _own_names(self, lead: Lead, other: Lead) -> tuple[np.ndarray, float]:
        return own_names(lead, self._freq(lead.names), self.candidates.archive_size, other)

    def _subject(self, x: int) -> np.ndarray:
        lead = self._lead(x)[0]
        return subject_of(lead, self._freq(lead.names), self.candidates.archive_size)

    def _rare_names(self, x: int) -> np.ndarray:
        if x not in self._rare_cache:
            self._rare_cache[x] = rare_names(self.docs[x].text, self.tokens[x], self._freq, self.candidates.archive_size)
        return self._rare_cache[x]

    def _spellings(self, x: int, hashes: np.ndarray) -> list[str]:
        """How the text spells the words ``hashes`` where it first uses them, in the order it
        does (a word it does not hold has no spelling)."""
        t, text = self.tokens[x], self.docs[x].text
        firsts = sorted(at[0] for at in (np.flatnonzero(t.hashes == h) for h in hashes.tolist()) if at.shape[0])
        return [text[int(t.starts[i]):int(t.ends[i])] for i in firsts]

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

    def _reset_name_caches(self) -> None:
        """Protagonists and rare names follow the current document frequencies."""
        self._lead_cache = {}
        self._rare_cache = {}

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
        kept: list[tuple[tuple[int, int], str, str | None]] = []
        for key, o in sorted(oriented.items()):
            rec = self.pairs[key]
            rel = rec.decision.relation
            assert rel is not None
            if rel == FAMILY and key not in chosen:
                continue
            if rel in DERIVATIONS and key not in chosen:
                rel = "related"
                note = "copy-like, but another document is a closer source of both"
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
            kept.append((key, rel, note))
        if wanted is not None:
            planned = [Link(oriented[key].derived, oriented[key].source, rel, 0.0, 0.0) for key, rel, _ in kept]
            takes = wanted(planned)
            kept = [item for item, link in zip(kept, planned) if takes(link)]

        def ready(key: tuple[int, int], relation: str) -> bool:
            return (key in early and oriented[key] is before[key]
                    and (relation == "related" or early[key][1] is not None))

        def finished(key: tuple[int, int], relation: str, note: str | None) -> Link | None:
            event, body = early[key]
            if relation == "related" and not event:
                return None
            assert body is not None  # (a related pair with one event, or a pair with its evidence: ready)
            return self._link(self.pairs[key], oriented[key], relation, note, body)
        # The links not built early: reading leads and quoting evidence are pure and per pair,
        # on every core too.
        todo = [item for item in kept if not ready(*item[:2])]
        # The links read none of the containments and idf weights kept for the decisions and the
        # choice (~10 MB for a chunk's ~13,000 documents at 200,000): dropped before the workers
        # fork, which would map them too.
        self._drop_weights()
        built = dict(zip((key for key, _, _ in todo), map_forked(lambda item: self._final_link(oriented, *item), todo)))
        links = sorted((l for l in (finished(*item) if ready(*item[:2]) else built[item[0]] for item in kept)
                        if l is not None), key=lambda l: (l.derived_id, l.source_id))
        story_of = stories(self.docs, ((l.derived_id, l.source_id) for l in links))
        attributions = [a for d in sorted(self.cited) for a in self.cited[d]]
        flags, doc_evidence = self.flags(links)
        return ProvenanceResult(links, story_of, attributions, flags, doc_evidence)

    def _final_link(self, oriented: dict[tuple[int, int], _Oriented], key: tuple[int, int], relation: str,
                    note: str | None) -> Link | None:
        """The link of a decided pair with its evidence; None for a related pair whose leads
        report different events (same topic or template, not one story)."""
        if relation == "related" and not self._same_event(*key):
            return None
        return self._link(self.pairs[key], oriented[key], relation, note)

    def _early_evidence(self, oriented: dict[tuple[int, int], _Oriented],
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

    def _link(self, rec: PairRecord, o: _Oriented, relation: str, note: str | None,
              evidence: dict[str, Any] | None = None) -> Link:
        """``evidence``: _evidence of the pair as ``o`` orients it, when built already."""
        evidence = {"method_version": METHOD_VERSION, "reasons": list(rec.decision.reasons) + ([note] if note else []),
                    **(self._evidence(rec, o) if evidence is None else evidence)}
        return Link(o.derived, o.source, relation, float(rec.decision.score), round(float(o.confidence), 4), evidence)

    def _evidence(self, rec: PairRecord, o: _Oriented) -> dict[str, Any]:
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
    cited = told.attributions(doc.id)
    outside = _outside_cruft(tokens, told.cruft)
    traits = DocTraits(
        published_at=doc.published_at,
        source=doc.source,
        words=len(tokens),
        artefacts=len({m.usual for m in told.artefacts}),
        cruft=len(told.cruft),
        ai_markers=sum(1 for m in told.ai if m.kind == "ai_style"),
        cited_outlets=frozenset(a.outlet for a in cited),
        details=_details_outside(tokens, outside),
        llm_words=told.llm_words,
        burstiness=told.burstiness,
        framing=sum(1 for m in told.ai if m.kind in ("model_framing", "model_loop")),
    )
    body = tokens.hashes[outside]
    return _DocAnalysis(anchors, list(told.artefacts + told.cruft + told.ai), cited, np.unique(body),
                        _opening_terms(body), traits, told.cut_off, *_details_in_order(tokens))


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


def _other(key: tuple[int, int], x: int) -> int:
    """The other text of the pair ``key``: x's source when ``key`` is x's chosen source link.
    (Not the pair's orientation: a link re-pointed by the family rules keeps the pair's own
    direction until _choose_parents has finished, and it may point the other way.)"""
    return key[1] if key[0] == x else key[0]


def _tally(votes: Iterable[tuple[int, int]]) -> dict[int, dict[int, int]]:
    """(text, source it is voted a rewrite of) pairs -> for each text, the votes per source."""
    out: dict[int, dict[int, int]] = {}
    for d, q in votes:
        by_source = out.setdefault(d, {})
        by_source[q] = by_source.get(q, 0) + 1
    return out


def _details_in_order(tokens: Tokens) -> tuple[np.ndarray, np.ndarray]:
    """Distinct names and numbers in order of first mention, and which of them are numbers."""
    mask = (tokens.kinds == NUM) | (tokens.kinds == CAP)
    hashes, kinds = tokens.hashes[mask], tokens.kinds[mask]
    _, first = np.unique(hashes, return_index=True)
    order = np.sort(first)
    return hashes[order], kinds[order] == NUM


def _details_outside(tokens: Tokens, outside: np.ndarray) -> int:
    """Distinct names and numbers among the ``outside`` tokens (those outside cruft lines): the
    details a text reports. A site's lines (its name, tags, a date) are not details of the story,
    and counted they made a crufted copy hold more than its source, so read as the source."""
    kinds = tokens.kinds[outside]
    hashes = tokens.hashes[outside]
    return len(set(hashes[kinds == CAP].tolist())) + len(set(hashes[kinds == NUM].tolist()))


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


def _openings_held(bodies: list[np.ndarray], openings: list[np.ndarray], weights: list[np.ndarray],
                   least: float) -> sp.csr_matrix:
    """[i, j]: the share of opening j (distinct terms, with their ``weights``) that body i (sorted
    distinct terms) holds, rounded so that equal openings tie exactly, wherever it may reach
    ``least``: a body holding none of an opening's heaviest terms that make up more than
    1 - ``least`` of it holds less, so only the bodies holding one of those are counted (rare
    terms: a few bodies each, where most of a news archive holds some common opening word).
    One sparse product over the openings' terms only: a body's other terms cannot count."""
    shape = (len(bodies), len(openings))
    if not bodies or not openings:
        return sp.csr_matrix(shape)
    terms = np.concatenate(openings)
    vocab = np.unique(terms)
    shares = [w / w.sum() if w.sum() else w for w in weights]
    heavy = np.zeros(vocab.shape[0], dtype=bool)
    heavy[np.searchsorted(vocab, np.concatenate([o[_heaviest(s, 1.0 - least)] for o, s in zip(openings, shares)]))] = True
    owner = np.repeat(np.arange(len(openings)), [o.shape[0] for o in openings])
    opened = sp.csr_matrix((np.concatenate(shares), (owner, np.searchsorted(vocab, terms))),
                           shape=(len(openings), vocab.shape[0]))
    body = np.concatenate(bodies)
    of_body = np.repeat(np.arange(len(bodies)), [b.shape[0] for b in bodies])
    # Each body term's column (-1: none) from a hash table: half the time of a binary search.
    col = TermTable.of(vocab, np.arange(1, vocab.shape[0] + 1)).get(body) - 1
    found = col >= 0
    counted = np.zeros(len(bodies), dtype=bool)
    counted[of_body[found & heavy[col]]] = True
    found &= counted[of_body]
    present = sp.csr_matrix((np.ones(int(found.sum())), (of_body[found], col[found])), shape=(len(bodies), vocab.shape[0]))
    held = (present @ opened.T).tocsr()
    held.data = np.round(held.data, 6)
    return held


def _heaviest(shares: np.ndarray, share: float) -> np.ndarray:
    """Positions of the largest ``shares`` (ties in order) up to the first that brings their sum
    above ``share`` (all of them if none does)."""
    order = np.argsort(-shares, kind="stable")
    # (A margin past the 6 decimals that shares are rounded to: a body short of ``least`` stays so.)
    above = np.flatnonzero(np.cumsum(shares[order]) > share + 1e-6)
    return order[: above[0] + 1] if above.shape[0] else order


def _best_held(held: sp.csr_matrix, texts: list[int], originals: list[int]) -> list[int | None]:
    """For each of ``texts`` (rows of ``held``), the original (column; ``originals`` in id order,
    none of them one of the texts) whose opening it holds most, at least OPENING_FAMILY_COVER of
    it, ties to the first; None if none."""
    rows = np.repeat(np.arange(held.shape[0]), np.diff(held.indptr))
    enough = held.data >= OPENING_FAMILY_COVER
    rows, cols, vals = rows[enough], held.indices[enough], held.data[enough]
    order = np.lexsort((cols, -vals, rows))
    rows, cols = rows[order], cols[order]
    first = np.ones(rows.shape[0], dtype=bool)
    first[1:] = rows[1:] != rows[:-1]
    out: list[int | None] = [None] * len(texts)
    for row, col in zip(rows[first].tolist(), cols[first].tolist()):
        out[row] = originals[col]
    return out


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


# Words a hyphen joins into one token ("love-Valentine's", "Texas-based"), and a word a line-end
# hyphen splits in two ("Schwarz-" / "enegger"): see _names.
_JOINED = re.compile(r"[\w.'’&]+(?:-[\w.'’&]+)+")
_SPLIT_AT_LINE_END = re.compile(r"([^\W\d_]+)-\n([^\W\d_]+)")
# A year 1900-2099 standing alone: not part of a longer number, an amount ("$2000", "2,019"), a
# decimal or a percentage.
_YEAR = re.compile(r"(?<![\d.,$-])(?:19|20)\d\d(?![\d%])")


@functools.lru_cache(maxsize=4096)
def _years_named(text: str) -> tuple[int, ...]:
    """The years a text names, sorted (cached: the family rules ask of the same texts often)."""
    return tuple(sorted({int(y) for y in _YEAR.findall(text)}))
