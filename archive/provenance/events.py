"""One story or two: what a pair's leads, protagonists and rare names say.

A related pair stays linked only when the two leads report one event, and a copy-like pair is one
template filled in for another company when neither lead names the other's protagonist (the
leads' rarest names in this archive). EventTests is mixed into engine.ProvenanceIndex, whose
texts, tokens, markers and document frequencies it reads, and keeps each text's lead and rare
names until the frequencies change (_reset_name_caches); the tests themselves are pure functions
in clusters.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from .align import Alignment
from .clusters import (Lead, another_company, figures_differ, lead_joins_words, lead_of, leads_apart, own_names,
                       protagonists, protagonists_apart, rare_names, same_event, spelt_alike, subject_of)
from .features import text_language, tokenize

# Words a hyphen joins into one token ("love-Valentine's", "Texas-based"), and a word a line-end
# hyphen splits in two ("Schwarz-" / "enegger"): see _names.
_JOINED = re.compile(r"[\w.'’&]+(?:-[\w.'’&]+)+")
_SPLIT_AT_LINE_END = re.compile(r"([^\W\d_]+)-\n([^\W\d_]+)")


class EventTests:
    """The engine's one-story tests over its texts (see the module)."""

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
            start = self._body_start(x)
            # (Past furniture, the text's own tokens with any boilerplate in the lead kept, as a
            # lead tokenised from there was read before 2026.12-83.)
            tokens = self.unmasked.get(x, self.tokens[x]).after(start) if start else self.tokens[x]
            lead = lead_of(self.docs[x].text[start:], tokens)
            self._lead_cache[x] = (lead, protagonists(lead, self._freq(lead.names), self.candidates.archive_size))
        return self._lead_cache[x]

    def _unjoined_lead(self, x: int) -> tuple[Lead, np.ndarray]:
        """x's lead and protagonists (_lead) with the words a hyphen joins taken one by one (see
        _another_company; not cached: asked of few pairs)."""
        text = self.docs[x].text[self._body_start(x):]
        if not lead_joins_words(text):
            return self._lead(x)
        lead = lead_of(text, split_hyphens=True, language=text_language(self.docs[x].text))
        return lead, protagonists(lead, self._freq(lead.names), self.candidates.archive_size)

    def _furniture(self, x: int) -> list[tuple[int, int]]:
        """The (start, end) spans of x's cruft lines and boilerplate: a site's furniture, not the
        story's words."""
        return [(m.start, m.end) for m in self.markers[x] if m.kind == "cruft"] + self.boilerplate_spans.get(x, [])

    def _outside_furniture(self, x: int) -> np.ndarray:
        """Which of x's tokens start outside its furniture lines (_furniture)."""
        starts = self.tokens[x].starts
        outside = np.ones(starts.shape[0], dtype=bool)
        for start, end in self._furniture(x):
            outside &= (starts < start) | (starts >= end)
        return outside

    def _body_start(self, x: int) -> int:
        """Where x's story begins: after the furniture lines that open it (a farm's date line with
        its section and comment count, breadcrumbs, a byline), whose words are no lead's names."""
        text, pos = self.docs[x].text, 0
        for start, end in sorted(self._furniture(x)):
            if text[pos:start].strip():
                break
            pos = end
        return len(text) - len(text[pos:].lstrip()) if pos else 0

    def _own_names(self, lead: Lead, other: Lead) -> tuple[np.ndarray, float]:
        return own_names(lead, self._freq(lead.names), self.candidates.archive_size, other)

    def _subject(self, x: int) -> np.ndarray:
        lead = self._lead(x)[0]
        return subject_of(lead, self._freq(lead.names), self.candidates.archive_size)

    def _rare_names(self, x: int) -> np.ndarray:
        if x not in self._rare_cache:
            # Not the names of its furniture lines (the site's own name, a section): another
            # site's copy of the same story lacks them.
            tokens = self.tokens[x]
            if self._furniture(x):
                tokens = tokens.where(self._outside_furniture(x))
            self._rare_cache[x] = rare_names(self.docs[x].text, tokens, self._freq, self.candidates.archive_size)
        return self._rare_cache[x]

    def _spellings(self, x: int, hashes: np.ndarray) -> list[str]:
        """How the text spells the words ``hashes`` where it first uses them, in the order it
        does (a word it does not hold has no spelling)."""
        t, text = self.tokens[x], self.docs[x].text
        firsts = sorted(at[0] for at in (np.flatnonzero(t.hashes == h) for h in hashes.tolist()) if at.shape[0])
        return [text[int(t.starts[i]):int(t.ends[i])] for i in firsts]

    def _reset_name_caches(self) -> None:
        """Protagonists and rare names follow the current document frequencies."""
        self._lead_cache = {}
        self._rare_cache = {}
