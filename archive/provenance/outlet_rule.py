"""The outlet rule: where a site's texts as a whole read as a language model's, which side of a
loose pair is the rewrite.

The family rules (families.py) find an original by the texts' own style, which says little about
one loose rewrite. An outlet's style, read over all of its texts (outlet_styles.py), says much
more: a site where a twentieth or more of the texts read as LLM output on their own publishes a
model's rewrites, and a newsroom or a wire hardly ever does. OutletRule is mixed into
FamilyRules (and so into engine.ProvenanceIndex), whose documents, pairs, neighbour searches and
pairwise measures it reads; it works in place on the ``parent`` map as the family rules do.
Its measured effect is in docs/provenance.md (2026.12-65, -66, -69).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from .outlet_styles import OutletStyle, StyleTally, outlets_to_read
from .pairs import Oriented, other_end
from .params import (COPY_RELATIONS, ORIGINAL_MIN_COSINE, OUTLET_CLEAR_COSINE, OUTLET_MIN_OPENING, OUTLET_MODEL_SHARE,
                     OUTLET_NEIGHBOURS, OUTLET_OPENING_LEAD, OUTLET_ORIGINAL_MARGIN, OUTLET_STYLE_GAP)


class OutletRule:
    """Texts of models' outlets sent to the newsroom article they were made from (see the module)."""

    def _model_outlets(self) -> set[str]:
        """The outlets where OUTLET_MODEL_SHARE of the texts or more read as LLM output on their
        own (_outlet_styles); none when every outlet does (nothing then to tell them from)."""
        styles = self._outlet_styles()
        models = {o for o, style in styles.items() if style.model_share >= OUTLET_MODEL_SHARE}
        return set() if len(models) == len(styles) else models

    def _newsroom_peers(self, d: int, s: int) -> bool:
        """d's outlet is a newsroom's (read, and under OUTLET_MODEL_SHARE of its texts read as LLM
        output on their own) and s's outlet, read too, does not read OUTLET_STYLE_GAP more
        human-written than it: two outlets that write alike. The family rules give a loose
        rewrite the original its family and the texts' relative style point to, and between
        texts of such outlets both are chance (reports of one topic; a wire's stories split
        among fifty sites got 471 links from them, all between separate reports): such a pair is
        two reports, and only its own wording makes one the other's copy or rewrite. Where s's
        outlet does read that much more human-written, d's may be a model's that few of its texts
        betray, as the outlet rule reads it (_outlet_moves); not when d's outlet is read over
        enough texts to be sure it is none (OutletStyle.surely_no_models): a wire's terse copy
        reads, by these measures, about as even as a model's (Reuters 0.39, LLMFake's models
        0.14-0.45, its newsrooms 0.77-0.83), and its 1987 stories were linked as loose rewrites
        of Politifact articles."""
        styles = self._outlet_styles()
        mine, theirs = styles.get(self.outlet[d]), styles.get(self.outlet[s])
        return (mine is not None and theirs is not None and mine.model_share < OUTLET_MODEL_SHARE
                and (theirs.style < mine.style + OUTLET_STYLE_GAP or mine.surely_no_models()))

    def _surely_newsroom(self, x: int) -> bool:
        """x's outlet, read over enough of its texts, surely publishes no model's
        (OutletStyle.surely_no_models): a newsroom or a wire, whose texts the family rules link as
        no loose rewrite of anything (families._repoint). Those rules presume a model's rewrite;
        -82 ruled it out only beside another read outlet's text, and a wire's 1987 stories were
        still loose rewrites of LLMFake articles that named no outlet (cosine 0.11-0.15)."""
        style = self._outlet_styles().get(self.outlet[x])
        return style is not None and style.surely_no_models()

    def _outlet_unread(self, x: int) -> bool:
        """x names its outlet, and the archive holds too few of its texts to read its style
        (outlet_styles.outlets_to_read): a site it barely knows."""
        return self.outlet[x] is not None and self.outlet[x] not in self._outlet_styles()

    def _outlet_styles(self) -> Mapping[str, OutletStyle]:
        """Each outlet's style (outlet_styles.py): the archive's as given to this index, else
        read from its own texts (a build of the whole archive)."""
        if self.outlet_styles is not None:
            return self.outlet_styles
        # Asked by several rules in each choice of sources (a pass over every text: 30-40 ms at
        # 20,000), kept while no text is added (an index never drops one).
        if self._styles_read is not None and self._styles_read[0] == len(self.outlet):
            return self._styles_read[1]
        read = outlets_to_read(Counter(outlet for outlet in self.outlet.values() if outlet is not None))
        tally = StyleTally()
        for doc_id, outlet in self.outlet.items():
            if outlet in read:
                t = self.traits[doc_id]
                # Counted over the whole text, as its telltales are (and as an update reads them
                # from the stored fingerprints), a site's boilerplate included.
                words = len(self.unmasked[doc_id]) if doc_id in self.unmasked else t.words
                tally.add(outlet, words, t.llm_words, t.burstiness, t.ai_markers, t.framing)
        styles = tally.styles()
        self._styles_read = (len(self.outlet), styles)
        return styles

    def _outlet_originals(self, oriented: dict[tuple[int, int], Oriented], parent: dict[int, tuple[int, int]],
                          promoted: set[tuple[int, int]]) -> None:
        """A text left without a source, from a model's outlet, goes to its nearest text from an
        outlet that reads far more human-written (_outlet_moves) (in place). A model's outlet
        is one where OUTLET_MODEL_SHARE of the texts or more read as LLM output on their own (a
        newsroom's or a wire's hardly any). The rules above find an original by the texts' own
        style, which says little about one loose rewrite; the outlets' styles, read over all
        their texts, say which side of the pair is the model's. Such a text may source texts of
        models' outlets, taken for its rewrites: a model's text is no original, so those of them
        linked as its rewrites are then asked the same (each to its own nearest newsroom text),
        and keep their link when that finds none. So is a text of a model's outlet linked as a
        rewrite of another model's text, or as a copy of one when a text from no model's outlet
        is nearer it than that one (a copy's nearest text is its source: LLMFake holds a
        rewrite that quotes its whole article among words of its own, linked as a spun copy of
        a sibling rewrite). A text so asked that keeps a rewrite link to another model's text
        keeps the pair as related instead (``_models_pairs``): the same story, neither the other's
        source."""
        styles = self._outlet_styles()
        models = self._model_outlets()
        if not models:
            return
        derived: dict[int, list[int]] = {}
        for x, key in parent.items():
            derived.setdefault(other_end(key, x), []).append(x)
        texts = [d for d in sorted(self.docs) if self.outlet[d] in models
                 and (self._linked_to_models_text(d, parent, models) if d in parent
                      else all(self.outlet[x] in models for x in derived.get(d, ())))]
        moves = self._outlet_moves(texts, styles, models, parent)
        asked = set(texts)
        rewrites = sorted(x for d in moves for x in derived.get(d, ())
                          if x not in asked and self._rewrite_of_models_text(x, parent, models))
        moves.update(self._outlet_moves(rewrites, styles, models, parent))
        for d, key in sorted(moves.items()):
            self._repoint(oriented, parent, promoted, d, key, "outlet_original")
        # The asked texts that found no newsroom text keep their story, not the link: a text of
        # a model's outlet is no source of another model's rewrite (its article may well be
        # missing from the archive, and the two are its rewrites).
        for d in texts + rewrites:  # (a moved text's link goes to no model's text now)
            if d in parent and self._rewrite_of_models_text(d, parent, models):
                self._models_pairs.add(parent.pop(d))
                self._why.pop(d, None)

    def _rewrite_of_models_text(self, d: int, parent: dict[int, tuple[int, int]], models: set[str]) -> bool:
        """d's link is a rewrite (not a copy) of a text of a model's outlet."""
        return self._linked_to_models_text(d, parent, models) and \
            self.pairs[parent[d]].decision.relation not in COPY_RELATIONS

    def _linked_to_models_text(self, d: int, parent: dict[int, tuple[int, int]], models: set[str]) -> bool:
        """d's link goes to a text of a model's outlet. As a rewrite, that is a rewrite of a
        rewrite, far rarer than two rewrites of one article; as a copy it may well be one (sites
        copy each other's texts), so _outlet_moves moves it only to a text nearer than its source."""
        return self.outlet[other_end(parent[d], d)] in models

    def _outlet_moves(self, texts: list[int], styles: Mapping[str, OutletStyle], models: set[str],
                      parent: dict[int, tuple[int, int]]) -> dict[int, tuple[int, int]]:
        """The source pair of each of ``texts`` (of models' outlets) that has one by its outlet: its
        nearest text q from no model's outlet, when
        - q's outlet reads OUTLET_STYLE_GAP more human-written than the text's (by the medians
          of their style), and q does not read less human-written than the text by the pair's
          own style (which must not gainsay the outlets'), nor as LLM output, nor is dated after it;
        - the text is clearly similar to q (OUTLET_CLEAR_COSINE) or holds OUTLET_MIN_OPENING of
          q's opening; a text linked as a copy (``parent``) is nearer q than its source;
        - no other text from no model's outlet comes within OUTLET_ORIGINAL_MARGIN of q's
          cosine, or within it the text holds OUTLET_OPENING_LEAD more of q's opening than of
          that one's. A text identical to q is no rival (the same article stored twice); a text
          of no known style (an outlet too small to read, or none) is."""
        near = self._neighbours(texts, OUTLET_NEIGHBOURS)
        moves: dict[int, tuple[int, int]] = {}
        for d in texts:
            others = [(x, c) for x, c in near[d] if self.outlet[x] not in models]
            if not others or others[0][1] < ORIGINAL_MIN_COSINE:
                continue
            q, cosine = others[0]
            if d in parent and self.pairs[parent[d]].decision.relation in COPY_RELATIONS and \
                    cosine <= self.pairs[parent[d]].features.cosine:
                continue  # a copy's nearest text is its source
            q_style = styles.get(self.outlet[q])
            if (q_style is None or q_style.style < styles[self.outlet[d]].style + OUTLET_STYLE_GAP
                    or self._style_preference(q, d) < 0.0 or self._llm_styled(q) or self._dated_after(q, d)):
                continue
            rival = next(((x, c) for x, c in others[1:] if not self._same_text(q, x)), None)
            covers = self._opening_covers([q] if rival is None else [q, rival[0]], d)
            held = covers[0]
            if cosine < OUTLET_CLEAR_COSINE and held < OUTLET_MIN_OPENING:
                # Neither clearly similar nor starting from q's opening, as a rewrite starts from
                # its article's: q is as likely the nearest of unrelated articles (the text's own
                # article not being in the archive).
                continue
            too_close = rival is not None and cosine - rival[1] < OUTLET_ORIGINAL_MARGIN
            if too_close and held - covers[1] < OUTLET_OPENING_LEAD:
                # Too close to call by cosine, and d holds not clearly more of q's opening.
                continue
            key = (min(d, q), max(d, q))
            if self._one_story(key):
                moves[d] = key
        return moves

    def _same_text(self, a: int, b: int) -> bool:
        """a and b are paired as duplicates: the same text stored twice."""
        key = (min(a, b), max(a, b))
        return key in self.pairs and self.pairs[key].decision.relation == "duplicate"
