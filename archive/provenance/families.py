"""The family rules: one source per document where its pairs alone cannot say which.

Each pair is decided on its own (classify.py, direction.py); a document then takes the candidate
that best explains it. That is right for copies, but LLM rewrites of one article resemble each
other more than the article, wire services re-issue stories, and spinners' copies share their
dictionary's swaps. The rules here re-point links at a family's original, by the family's own
agreement (siblings' links, nearest texts, openings, style), and drop the links that no family
supports. FamilyRules is mixed into engine.ProvenanceIndex, whose pairs, documents and pairwise
measures (source preference, style, containment, openings) it reads; every rule works in place
on the ``parent`` map (derived document -> key of its source pair) and records why in ``_why``.
It builds on three groups of rules kept in their own modules: texts sent to the original whose
opening they hold (openings.OpeningRules), texts of models' outlets (outlet_rule.OutletRule) and
copies of copies (copy_families.CopyRules); _choose_parents here runs them all in order. Each
rule's purpose and measured effect is in docs/provenance.md.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import statistics
from contextlib import ExitStack

import numpy as np

from .classify import FAMILY, MIN_COPY_COVERAGE, Decision, different_story
from .copy_families import CopyRules
from .cycles import cycle_breaks
from .dates import is_day, seconds_later, surely_before
from .direction import MIN_DATE_GAP_SECONDS
from .model import DERIVATIONS
from .openings import OpeningRules
from .outlet_rule import OutletRule
from .pairs import Oriented, PairRecord, other_end, tally
from .params import (CONSENSUS_FACT_VOTES, CONSENSUS_MIN_NAMES, CONSENSUS_MIN_VOTES, COPY_RELATIONS, FAMILY_SIZE,
                     FAMILY_STYLE_GAP, INDEPENDENT_OWN_NAMES, MODEL_FAMILY_MIN_PREFERENCE, NEIGHBOUR_MIN_COSINE,
                     NEIGHBOUR_VOTERS, OPENING_FAMILY_COVER, ORIGINAL_CLEAR_MARGIN, ORIGINAL_CLEAR_STYLE,
                     ORIGINAL_MIN_COSINE, ORIGINAL_NEIGHBOURS, PARENT_DIRECTION_BONUS, REPARENT_MARGIN,
                     REPARENT_ROUNDS, ROOT_HELD_MARGIN, ROOT_KEPT_SPAN, ROOT_MAX_OWN_NUMBERS, ROOT_MIN_CONTAINMENT,
                     ROOT_MIN_KEPT_DETAILS, ROOT_MIN_NAMES, ROOT_MIN_PREFERENCE, ROOT_MIN_WORDS,
                     ROOT_PREFERENCE_SCALE)


class FamilyRules(OpeningRules, OutletRule, CopyRules):
    """The rules that choose each document's source among its decided pairs (see the module)."""

    def _choose_parents(self, oriented: dict[tuple[int, int], Oriented]) -> dict[int, tuple[int, int]]:
        """derived id -> key of the pair naming its source: one source per derived document.

        First the candidate that best explains the document; then, when that candidate p has a
        source q of its own that is also a source candidate of the document d, and d still has
        words of q that p replaced (or lacks most words p put in), q instead: d did not come
        from p's text, so p and d are sibling copies of q, not source and copy. (A spinner with
        a fixed dictionary makes siblings share synonyms, hence the first test.) Rewrites are
        also re-pointed at the root of their family, before and after that (_family_roots).
        A rewrite's candidate that reads as LLM-written as the rewrite itself is not a source,
        nor one of a newsroom that writes like the rewrite's, unless the rewrite keeps its facts.
        """
        options: dict[int, dict[int, tuple[tuple[int, int], float]]] = {}
        best: dict[int, tuple[float, float, float, int]] = {}
        ranks: dict[int, dict[int, tuple[tuple[float, float, float, int], tuple[int, int]]]] = {}
        parent: dict[int, tuple[int, int]] = {}
        promoted: set[tuple[int, int]] = set()
        self._why = {}
        self._models_pairs = set()
        self._newsroom_pairs = set()
        self._sibling_like_pairs = set()
        for key, o in oriented.items():
            relation = self.pairs[key].decision.relation
            if relation not in DERIVATIONS:
                continue
            if (relation == "rewrite" and self._newsroom_peers(o.derived, o.source)
                    and not self._keeps_facts(o.derived, o.source)):
                # Between newsrooms that write alike, a rewording that brings facts of its own is
                # as likely another report of the topic (a wire's follow-ups spread over many
                # sites) as a rewrite: related, not derived (_newsroom_pairs). One keeping the
                # other's facts (a paraphrase, a heavy spin) stays a candidate.
                self._newsroom_pairs.add(key)
                continue
            if relation == "rewrite" and (self._llm_styled(o.source) or self._llm_like_source(o.source, o.derived)
                                          and not self._reads_as_source(o.source, o.derived)):
                # An LLM-styled text rewritten again is rarer than two sibling rewrites; a somewhat
                # LLM-like candidate still sources d when it clearly reads as d's source (holds
                # more of d than d of it, more varied sentences): a sibling does not.
                self._sibling_like_pairs.add(key)
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
                p = other_end(parent[d], d)
                if p not in parent:
                    continue
                q = other_end(parent[p], p)
                if q == d or self._copies_a_passage_reuse(d, parent[d], p, parent[p]):
                    continue
                dq = (min(d, q), max(d, q))
                rewrite_of_p = self.pairs[parent[d]].decision.relation == "rewrite"
                rewrite_of_copy = rewrite_of_p and self.pairs[parent[p]].decision.relation in COPY_RELATIONS
                if rewrite_of_copy and self._same_outlet(d, q):
                    # p is another site's copy of q, and q is d's own outlet's text: the outlet
                    # had q itself, so what d shares with p is q's (a follow-up of it, or the
                    # same template for another story), whatever edits of p's it happens to
                    # share; d is no rewrite of the copy.
                    del parent[d]
                    changed = True
                    continue
                if not (self._is_sibling(d, p, q) or self._copied_alike(d, p, q, parent)
                        or self._restores_what_p_swapped(d, p, q)):
                    continue
                if self._are_versions(p, q) and self._holds_what_only_p_has(d, parent[d], dq):
                    continue
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
                elif rewrite_of_copy and dq in self.features and not self._paired(dq):
                    # d reads as a rewrite of p, a copy of q, yet lacks p's own edits, and its
                    # alignment with q's text finds no relation by the texts' own wording (none,
                    # or a loose family by containment only): what d shares with p is q's, which
                    # is no source of d (one notice's template filled in for another company,
                    # which a spinner's swaps in p made read as reworded). No source for d. A
                    # pair never aligned says nothing either way (LLMFake: aligning it to ask
                    # unlinked rewrites that the family rules would have linked right).
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
        self._outlet_originals(oriented, parent, promoted)
        # The rules since the chain rule may have linked a text that sources rewrites (a late
        # consensus round): no rewrite is left as derived from a sibling (LLMFake without
        # outlets: one model's elaboration linked to its article last, with three rewrites of
        # other articles already linked to it).
        self._no_rewrite_chains(oriented, parent, promoted)
        self._no_spin_chains(oriented, parent)
        self._pick_versions(oriented, parent, promoted)
        self._no_cycles(oriented, parent)
        for d, key in parent.items():
            o = oriented[key]
            if key in promoted and o.derived != d:
                # Family structure overrides the pair's own (weak) direction evidence.
                oriented[key] = Oriented(o.derived, o.source, 1.0 - o.confidence, o.signals,
                                          tuple((y, x, "b" if s == "a" else "a") for x, y, s in o.examples))
        return parent

    def _no_cycles(self, oriented: dict[tuple[int, int], Oriented], parent: dict[int, tuple[int, int]]) -> None:
        """No text derives from itself through a chain of links (in place). Each link is chosen
        pair by pair, and a rule may move one against another's direction, so a chain can close:
        in Reuters + spun_dev a wire's story, its re-issue and a farm's spun copy of the re-issue,
        the story read as contained in the longer copy. The loop's original keeps no source: its
        earliest dated text, else the one that reads as the others' source (_family_root, the
        round robin of source preferences). Among copies of one article, which link's direction
        is the weakest says little (a copy and its article may read either way at 0.5), while
        the article holds what each copy kept. A text linked as a duplicate is not asked: its
        text is its source's, so its link is right whichever way it points, and beside its
        source the round robin is a coin toss (scraper probe: an article and its copy with the
        first paragraph in capitals)."""
        def original(cycle: list[int]) -> int:
            asked = [x for x in cycle if self.pairs[parent[x]].decision.relation != "duplicate"] or cycle
            dated = [x for x in asked if self.docs[x].published_at is not None]
            # The first by date: none other surely before it (a page dated by its day only may
            # stand for any moment of that day; see dates.py).
            first = [x for x in dated
                     if not any(surely_before(self.docs[y].published_at, self.docs[x].published_at) for y in dated)]
            if len(first) == 1 or (first and not any(is_day(self.docs[x].published_at) for x in first)):
                return min(first, key=lambda x: (self.docs[x].published_at, x))
            return self._family_root(sorted(first or asked))

        for d in cycle_breaks({d: other_end(key, d) for d, key in parent.items()}, original):
            del parent[d]
            self._why.pop(d, None)

    def _family_roots(self, oriented: dict[tuple[int, int], Oriented], parent: dict[int, tuple[int, int]],
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
            if self._sources_by_pairs(d):
                continue  # the article of a family
            root = self._original_of(self._family_root([d] + neighbours[d]), oriented, parent)
            rkey = (min(d, root), max(d, root))
            # The root is paired with d, holds a fair share of d's terms, reads as its source
            # (containment asymmetry and relative style), and keeps its facts.
            if root == d or not self._could_source(root, d) or self._dated_after(root, d):
                continue
            if (self._llm_styled(root) or (self._llm_like_source(root, d) and not self._models_family(root, [d] + neighbours[d]))
                    or not self._keeps_facts(d, root)):
                continue
            if (not any(x in parent and other_end(parent[x], x) == root for x in neighbours[d])
                    and (self._outlet_unread(root) or not self._family_shows_a_model(root, d, neighbours[d]))):
                # Nothing says the family holds a model's text, nor does the root already source one
                # of d's closest texts: d and they are reports of one topic, whose round robin picks
                # the fullest article, not an original. (Asked before the opening test, which
                # searches d's nearest texts.)
                continue
            if self._opening_held_nearer(root, d):
                continue
            if self._repoint(oriented, parent, promoted, d, rkey, "root_parentless") and parent.get(root) == rkey:
                del parent[root]  # the same pair read the other way round: d is the rewrite
                self._why.pop(root, None)
        for d in sorted(parent):
            key = parent[d]
            if d in settled or (self.pairs[key].decision.relation != "rewrite" and key not in promoted):
                continue
            p = other_end(key, d)
            # The current source competes too, even when it is not among d's closest texts.
            root = self._original_of(self._family_root([d] + sorted(set(neighbours.get(d, [])) | {p})), oriented, parent)
            if root == p:
                continue
            rkey = (min(d, root), max(d, root))
            if root == d or rkey not in self.pairs or self._same_outlet(d, root) or self._dated_after(root, d):
                continue
            if self._llm_styled(root) or self._llm_like_source(root, d):
                continue
            if key not in promoted and self._newsroom_peers(p, root):
                # p and the root are two newsrooms' reports that write alike: the round robin
                # between them is chance, and d keeps the source its own pair chose.
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
            if self._opening_held_nearer(root, d):
                continue  # (as for a parentless text above)
            self._repoint(oriented, parent, promoted, d, rkey, "root_repoint" + ("2" if settled else "1"))

    def _family_shows_a_model(self, root: int, d: int, closest: list[int]) -> bool:
        """Something says that d's family (d and its ``closest`` texts) holds a model's text: one
        of them reads as LLM output on its own, or d reads clearly less human-written than the
        root (ORIGINAL_CLEAR_STYLE). Without it (and without the root sourcing one of them
        already) a parentless text gets no family root: in an archive of human reports alone
        (LLMFake's articles, no outlets) the root rule made 4 links between reports of one topic
        (a Kardashian holiday party and a charity baseball game: 9 shared names, 16% of the
        terms) and the nearest-original rule 7 more after them, all wrong; now none. With
        LLMFake's rewrites too, 1 right link fewer with outlets and 3 without, precision up."""
        return (any(self._llm_styled(x) for x in [d, *closest])
                or self._style_preference(root, d) >= ORIGINAL_CLEAR_STYLE)

    def _sources_by_pairs(self, q: int) -> bool:
        """CONSENSUS_MIN_VOTES or more texts chose q as their rewrite source by the pairs' own
        evidence, before any family rule moved a link (_pairwise_rewrites). q is then the
        article those rewrites were made from, not one more of them: neither its family root (by
        the round robin, a longer article on the topic can hold much of everyone's terms) nor its
        paired texts' consensus makes it a rewrite. The root rules may move q's rewrites
        elsewhere first, so what q sources now would not say it (LLMFake without outlets:
        articles taken for rewrites of another, each taking its rewrites along). Whatever q's
        style: until 2026.12-89 those texts had also to read FAMILY_STYLE_GAP less human-written
        than q, and an article with a few LLM-favoured words (0.8 per 100 words) became a
        rewrite of another article on its topic by the round robin, its six rewrites going to
        three other articles (LLMFake without outlets 0.9596 / 0.8745 -> 0.9626 / 0.8791). A
        rewrite that its siblings chose is left to the neighbour consensus, which reads the
        votes of its nearest texts."""
        return len(self._pairwise_rewrites.get(q, [])) >= CONSENSUS_MIN_VOTES

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

    def _may_have_root(self, d: int, neighbours: dict[int, list[int]], oriented: dict[tuple[int, int], Oriented],
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

    def _original_of(self, root: int, oriented: dict[tuple[int, int], Oriented],
                     parent: dict[int, tuple[int, int]]) -> int:
        """The family's original when its root is a verbatim copy (duplicate, near or spun copy)
        of another text: a copy cannot be the original, the text it copies is. A copy that cuts
        and pastes from the original can read as human-written as it, so style alone may pick it."""
        seen = {root}
        while root in parent and self.pairs[parent[root]].decision.relation in COPY_RELATIONS:
            root = other_end(parent[root], root)
            if root in seen:
                break
            seen.add(root)
        return root

    def _no_rewrite_chains(self, oriented: dict[tuple[int, int], Oriented], parent: dict[int, tuple[int, int]],
                           promoted: set[tuple[int, int]]) -> None:
        """A rewrite whose chosen source is itself a rewrite of q: two rewrites of one article are
        far likelier than a rewrite of a rewrite, so q is d's source when d and q are related,
        and otherwise d gets no source (in place; decided on the links as they stand, so the
        order of documents does not matter)."""
        moves: dict[int, tuple[int, int] | None] = {}
        for d in sorted(parent):
            p = other_end(parent[d], d)
            if not self._rewrite_link(d, parent, promoted) or not self._rewrite_link(p, parent, promoted):
                continue
            q = other_end(parent[p], p)
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

    def _consensus_rounds(self, oriented: dict[tuple[int, int], Oriented], parent: dict[int, tuple[int, int]],
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

    def _family_consensus(self, oriented: dict[tuple[int, int], Oriented], parent: dict[int, tuple[int, int]],
                          promoted: set[tuple[int, int]]) -> None:
        """A parentless text d paired with CONSENSUS_MIN_VOTES or more rewrites of one q, and aligned
        with q itself, where q is the only source of d's paired rewrites that d is aligned with: d is one
        more rewrite of q when q reads as its source and d adds no figures, or when q is the
        family's original by their number and d's facts (_family_original) (in place). Loose
        rewrites (open-ended ones keep little but the lead) share too little with their source
        for the pair alone, but the family's agreement stands in for the containment test; only
        rewrite links vote, so copies and same-topic reports never do. Not a d that texts chose
        as their source by their pairs (_sources_by_pairs): it is their article."""
        paired_with = self._paired_texts()
        votes = tally((d, q) for x, q in self._rewrite_sources(oriented, parent, promoted).items()
                       for d in paired_with.get(x, ()))
        moves: dict[int, tuple[int, int]] = {}
        for d, by_source in sorted(votes.items()):
            sources = [q for q in sorted(by_source) if q != d and (min(d, q), max(d, q)) in self.features]
            if (d in parent or len(sources) != 1 or by_source[sources[0]] < CONSENSUS_MIN_VOTES
                    or self._sources_by_pairs(d)):
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

    def _neighbour_consensus(self, oriented: dict[tuple[int, int], Oriented], parent: dict[int, tuple[int, int]],
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
        votes = tally((d, sources[x]) for d in open_ for x, cosine in own[d]
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
            if self._opening_held_nearer(q, d):
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

    def _nearest_originals(self, oriented: dict[tuple[int, int], Oriented], parent: dict[int, tuple[int, int]],
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
        read no more machine-written than the original). A text that nothing says is a model's
        (_nothing_says_models) must have such siblings nearer than the original, or none nearer
        at all (_siblings_nearer). Only rewrite links make originals, so
        an archive without them costs nothing here."""
        sources = self._rewrite_sources(oriented, parent, promoted)
        if not sources:
            return
        originals = self._originals_of(sources, parent)
        if repoint:
            texts = list(sources)
        else:
            sourcing = {other_end(key, x) for x, key in parent.items()}
            near = self._neighbours(originals, ORIGINAL_NEIGHBOURS)
            texts = sorted({d for q in originals for d, c in near[q]
                            if c >= ORIGINAL_MIN_COSINE and d not in parent and d not in sourcing})
        own = self._neighbours(texts, ORIGINAL_NEIGHBOURS)
        held = set(originals)
        models = set() if repoint else self._model_outlets()
        gaps = {} if repoint else self._family_style_gaps(sources)
        moves: dict[int, tuple[int, int]] = {}
        for d in texts:
            # When repointing, only an original nearer than the current source p competes.
            p = other_end(parent[d], d) if repoint else None
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
            if (not repoint and self._nothing_says_models(d, models)
                    and not self._siblings_nearer(q, d, own[d], sources)):
                continue
            if not repoint and self._independent_report(q, d, models):
                continue
            if not repoint and self._opening_held_nearer(q, d):
                continue
            key = (min(d, q), max(d, q))
            if self._one_story(key):
                moves[d] = key
        for d, key in sorted(moves.items()):
            self._repoint(oriented, parent, promoted, d, key, "nearest_original")

    def _nothing_says_models(self, d: int, models: set[str]) -> bool:
        """Nothing says d is a model's text: it names its outlet, that is no model's outlet as
        read over its texts (a newsroom, or a site too small to read), and d does not read as
        LLM output on its own. (A text of no named outlet, as in an archive whose files name no
        publisher, is left to its style and family as before: LLMFake's rewrites without outlets.
        One that reads as a model's is one, on whatever site: with LLMFake's rewrites each on a
        one-page site of its own, llmfake_sites, 0.9662 / 0.8817 with these gates and 0.9647 /
        0.8811 without, 0.9666 / 0.8752 when they did not ask this.)"""
        return self.outlet[d] is not None and self.outlet[d] not in models and not self._llm_styled(d)

    @staticmethod
    def _siblings_nearer(q: int, d: int, near: list[tuple[int, float]], sources: dict[int, int]) -> bool:
        """q is the first of d's nearest texts (``near``), or a text nearer d than q is linked
        as q's rewrite (``sources``: rewrite -> its source): the nearest original rule's case,
        a loose rewrite whose nearest texts are its siblings. A page that nothing says is a
        model's text (_nothing_says_models) whose nearer texts are other articles is likelier one
        more report on the topic: in one archive of Reuters, trafilatura's 250 pages and LLMFake
        with outlets, a New Republic essay on neoliberalism and a Jamaica Observer report of an
        assault, each their outlet's one page, were linked as loose rewrites (cosine 0.12) of
        Politifact articles on Medicaid and on a beaten politician: the nearest texts sourcing
        rewrites that each had, ranked behind texts none of which is their rewrite."""
        ahead = [x for x in itertools.takewhile(lambda x: x != q, (x for x, _ in near)) if x != d]
        return not ahead or any(sources.get(x) == q for x in ahead)

    def _independent_report(self, q: int, d: int, models: set[str]) -> bool:
        """d reads as its own report of q's story, not a rewrite of q: it names INDEPENDENT_OWN_NAMES
        or more names q lacks, does not read clearly less human-written than q (a style preference
        under ROOT_MIN_PREFERENCE), and its outlet is none of ``models`` (a model asked to elaborate
        invents names, and its outlet says so where the text cannot). A rewrite drops names;
        another newsroom's article on the event brings its own people and places."""
        return (self.outlet[d] not in models
                and len(self.anchors[d].names - self.anchors[q].names) >= INDEPENDENT_OWN_NAMES
                and self._style_preference(q, d) < ROOT_MIN_PREFERENCE)

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

    def _rewrite_sources(self, oriented: dict[tuple[int, int], Oriented], parent: dict[int, tuple[int, int]],
                         promoted: set[tuple[int, int]]) -> dict[int, int]:
        """The voters of the consensus rules: each text whose chosen source link is a rewrite link
        (by its relation or promoted to one), in id order, with that source."""
        return {x: other_end(parent[x], x) for x in sorted(parent) if self._rewrite_link(x, parent, promoted)}

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

    def _no_unsourced_sibling_sources(self, oriented: dict[tuple[int, int], Oriented],
                                      parent: dict[int, tuple[int, int]], promoted: set[tuple[int, int]]) -> None:
        """A rewrite d whose chosen source p has no source of its own, while texts paired with p
        are rewrites of one q that reads as p's source too and sources more rewrites than p
        does: p is most likely one more rewrite of q (its own link to q was too loose to make),
        so d and p are siblings. Then q is d's source when d and q are paired and p clearly
        reads as q's rewrite (two reports of one topic can lean either way: d then keeps p), and
        otherwise d gets no source (in place; decided on the links as they stand). Not when p
        and q are texts of two newsrooms that write alike (_newsroom_peers): there the family's
        word is chance, and p is another report of the topic that d's own wording chose (LLMFake:
        a rewrite linked to its article at cosine 0.53 lost it this way, and a family rule then
        gave it another newsroom's article at 0.22). Nor when texts chose p as their source by
        their own pairs (_sources_by_pairs): p is their article (LLMFake through the ingest,
        without outlets: a Brad Pitt article paired with another in the articles' batch lost
        its two closest rewrites, which the neighbour consensus then gave the other)."""
        linked_to: dict[int, set[int]] = {}
        for x, q in self._rewrite_sources(oriented, parent, promoted).items():
            linked_to.setdefault(q, set()).add(x)
        paired_with = self._paired_texts()
        moves: dict[int, tuple[int, int] | None] = {}
        for d in sorted(parent):
            p = other_end(parent[d], d)
            if not self._rewrite_link(d, parent, promoted) or p in parent or self._sources_by_pairs(p):
                continue
            # q must also be the source of more rewrites than p: the family's root by its links
            # (a source stored cut off can read as the rewrite of a long rewrite of it).
            sources = sorted(q for q, xs in linked_to.items()
                             if q not in (d, p) and (xs & paired_with.get(p, set())) - {d}
                             and len(xs) > len(linked_to.get(p, ()))
                             and (min(p, q), max(p, q)) in self.pairs and self._leans_source(q, p)
                             and not self._llm_styled(q) and not self._llm_like_source(q, p)
                             and not self._newsroom_peers(p, q))
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

    def _family_hubs(self, oriented: dict[tuple[int, int], Oriented], parent: dict[int, tuple[int, int]],
                     promoted: set[tuple[int, int]]) -> None:
        """A rewrite d whose chosen source p has no source of its own goes to q, a text paired
        with d that reads more as d's source than p does and is already the source of as many
        rewrites as p or more (d counted for p; two at least): the hub of a star of rewrites. Several
        rewrites of one article each resemble their sibling more than the article, so a rewrite
        whose nearest text is a sibling that found no source of its own takes that sibling; the
        text that sources its other siblings, and reads as its source, is the one they share.
        q is an original itself (no source, or only as a verbatim copy of another text: its text is
        the article's), another outlet, not dated after d, and not LLM-written like d; p and q are
        not two newsrooms' texts that write alike (_newsroom_peers: p is then an article, not a
        sibling rewrite, whatever it sources). In place; decided on the links as they stand.
        LLMFake: the tie and the copy each move rewrites off a sibling rewrite that sources one
        other sibling, 3 links, all to the true source."""
        linked_to: dict[int, int] = {}
        for q in self._rewrite_sources(oriented, parent, promoted).values():
            linked_to[q] = linked_to.get(q, 0) + 1
        paired_with = self._paired_texts()
        moves: dict[int, tuple[int, int]] = {}
        for d in sorted(parent):
            if not self._rewrite_link(d, parent, promoted):
                continue
            p = other_end(parent[d], d)
            if p in parent:
                continue
            current = self._source_preference(p, d)
            best: tuple[float, int] | None = None
            for q in sorted(paired_with.get(d, ())):
                # A verbatim copy of an article sources rewrites as the article would. p's count
                # includes d, so a tie is a hub as well sourced without d: of CONSENSUS_MIN_VOTES
                # rewrites at least (one other rewrite each is no family's word).
                copy_of = q in parent and self.pairs[parent[q]].decision.relation in COPY_RELATIONS
                if (q in (p, d) or (q in parent and not copy_of) or self._newsroom_peers(p, q)
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

    def _repoint(self, oriented: dict[tuple[int, int], Oriented], parent: dict[int, tuple[int, int]],
                 promoted: set[tuple[int, int]], d: int, key: tuple[int, int], why: str) -> bool:
        """Make the pair ``key`` d's source link, overriding the pair's own direction (promoted);
        but a loose pair (no copy) between two newsrooms that write alike is two reports, which
        no family rule links (_newsroom_peers), nor one whose text d is surely a newsroom's
        (_surely_newsroom). Whether it linked them."""
        if self.pairs[key].decision.relation not in COPY_RELATIONS and (
                self._newsroom_peers(d, other_end(key, d)) or self._surely_newsroom(d)):
            return False
        if key not in oriented:
            oriented[key] = self._orient(self.pairs[key])
        parent[d] = key
        promoted.add(key)
        self._why[d] = why
        return True

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
        gap = seconds_later(db, da)
        return gap is not None and gap >= MIN_DATE_GAP_SECONDS

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


# A year 1900-2099 standing alone: not part of a longer number, an amount ("$2000", "2,019"), a
# decimal or a percentage.
_YEAR = re.compile(r"(?<![\d.,$-])(?:19|20)\d\d(?![\d%])")


@functools.lru_cache(maxsize=4096)
def _years_named(text: str) -> tuple[int, ...]:
    """The years a text names, sorted (cached: the family rules ask of the same texts often)."""
    return tuple(sorted({int(y) for y in _YEAR.findall(text)}))
