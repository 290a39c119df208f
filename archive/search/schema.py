"""The Whoosh schema and the mapping from a store document to index fields."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from datetime import datetime, timezone
from pickle import dumps
from typing import TYPE_CHECKING, Any

from whoosh import fields
from whoosh.system import pack_uint

from archive.search.analysis import COMMON_WORDS, FOLDING_RULE, WORD_RULE, grams, make_analyzer, words
from archive.search.dates import to_utc_naive

if TYPE_CHECKING:
    from archive.search.document import IndexDoc

TITLE_BOOST = 2.0
# A search's facets and the fields whose columns they count.
FACET_FIELDS = {"source": "source_facet", "year": "year"}


# (term bytes, frequency, weight, encoded positions): what Whoosh's ``FieldType.index`` yields.
Posting = tuple[bytes, int, float, bytes]


class Text(fields.TEXT):
    """A TEXT field (positions, the one analyzer) that indexes faster.

    ``index`` gives exactly what Whoosh's generic token pipeline gives for the same text, plus
    the common-word grams when ``common_words`` is not empty (see ``archive.search.analysis``).
    Gram postings report frequency 0, so the field length (and so every score) counts words only.
    """

    def __init__(self, *, common_words: frozenset[str] = frozenset(), **options: Any) -> None:
        super().__init__(analyzer=make_analyzer(), phrase=True, **options)
        self.common_words = common_words
        self.word_rule = WORD_RULE

    def index(self, value: Any, **kwargs: Any) -> Iterator[Posting]:  # type: ignore[override]
        # By the rule the index was built with: an older index stays one rule until rebuilt.
        return iter(_postings(value, self.format.field_boost, self.common_words, folds(self)))

    def analyses_like(self, other: Any) -> bool:
        """Whether ``other`` gives the same postings for every value (an index keeps the
        common-word list it was built with)."""
        return (isinstance(other, Text) and self.format.field_boost == other.format.field_boost
                and self.common_words == other.common_words and word_rule(self) == word_rule(other))


def word_rule(field: Any) -> int:
    """The word rule (analysis.WORD_RULE) a text field of some index was built with."""
    return getattr(field, "word_rule", 1)


def folds(field: Any) -> bool:
    """Whether a text field of some index folds Latin letters (analysis.FOLDING_RULE): its
    terms, and so the query terms looked up in it, are folded."""
    return word_rule(field) >= FOLDING_RULE


def _postings(text: str, field_boost: float, common: frozenset[str], folded: bool) -> list[Posting]:
    terms = words(text, folded)
    positions: dict[str, list[int]] = {}
    for position, term in enumerate(terms):
        if term in positions:
            positions[term].append(position)
        else:
            positions[term] = [position]
    postings = [(t.encode("utf-8"), len(p), len(p) * field_boost, _encode(p)) for t, p in positions.items()]
    if common:
        gram_positions: dict[str, list[int]] = {}
        for position, term in grams(terms, common):
            if term in gram_positions:
                gram_positions[term].append(position)
            else:
                gram_positions[term] = [position]
        postings += [(t.encode("utf-8"), 0, len(p) * field_boost, _encode(p)) for t, p in gram_positions.items()]
    return postings


def _encode(positions: list[int]) -> bytes:
    """Whoosh's ``formats.Positions.encode``: the count, then the pickled position deltas."""
    if len(positions) == 1:  # most words occur once in a document
        return _encode_single(positions[0])
    deltas = [b - a for a, b in zip([0, *positions], positions)]
    return pack_uint(len(deltas)) + dumps(deltas, 2)


@lru_cache(maxsize=4096)
def _encode_single(position: int) -> bytes:
    return pack_uint(1) + dumps([position], 2)


class Column(fields.ID):
    """An ID kept only as a column (sorting, facets, the drift check), with no index terms."""

    def __init__(self) -> None:
        super().__init__(sortable=True)
        self.indexed = False


class Timestamp(fields.DATETIME):
    """A DATETIME indexed as one term per value instead of Whoosh's eight trie levels.

    Date filters look up calendar-period terms (``year``/``month``/``day``); this field is only
    searched for the part of a day a since/until datetime cuts off, a range too small to need
    the trie. Dropping it made the term file a third smaller on Reuters.
    """

    def __init__(self, *, stored: bool = False, sortable: bool = False) -> None:
        super().__init__(stored=stored, sortable=sortable)
        self.shift_step = 0


def build_schema() -> fields.Schema:
    """Every searchable text field keeps positions (phrases) and uses the one analyzer.

    ``title`` and ``text`` also hold common-word grams (``analysis``); the list they were built
    with is pickled with the schema into the index, and queries read it from there.

    The body text is not stored: the store has it, and storing it would roughly double the index.
    ``source_facet``/``year``/``dated`` are columns for facets and date sorting, ``content_hash``
    one for the drift check; of these only ``year`` is also indexed (``year``/``month``/``day``
    are terms for fast date filters). ``external_id`` is only stored.
    """
    return fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        external_id=fields.STORED(),
        title=Text(common_words=COMMON_WORDS, stored=True, field_boost=TITLE_BOOST),
        text=Text(common_words=COMMON_WORDS),
        author=Text(),
        source=Text(stored=True),
        source_facet=Column(),
        url=Text(),
        lang=fields.ID(),
        published=Timestamp(stored=True, sortable=True),
        # Whoosh sorts a missing date as the smallest; this column lets "oldest first" put
        # undated documents last as well.
        dated=Column(),
        # Calendar periods as terms: date filters look these up instead of a numeric range.
        year=fields.ID(sortable=True),
        month=fields.ID(),
        day=fields.ID(),
        content_hash=Column(),
    )


def texts_to_index(title: str | None, text: str, author: str | None, source: str | None,
                   url: str | None) -> dict[str, str]:
    """The text fields a document gives the index; absent values are left out."""
    values = {"text": text}
    for name, value in (("title", title), ("author", author), ("source", source), ("url", url)):
        if value:
            values[name] = value
    return values


def analyse(texts: dict[str, str]) -> dict[str, list[Posting]]:
    """The postings of each of ``texts_to_index``'s fields under :func:`new_index_schema`, as its
    ``index`` gives them. An ingest computes them in its reader process, beside the writer,
    which is the ingest's bottleneck: the writer takes them for every field its index analyses
    alike (see ``writer.PooledSegmentWriter``)."""
    schema = new_index_schema()
    return {name: _postings(value, schema[name].format.field_boost, schema[name].common_words,
                            folds(schema[name]))
            for name, value in texts.items()}


def to_fields(doc: IndexDoc, postings: dict[str, list[Posting]] | None = None) -> dict[str, Any]:
    """The keyword arguments for ``writer.add_document``; absent values are left out.
    ``postings`` (from :func:`analyse` of the same texts) rides along as ``_postings``."""
    values: dict[str, Any] = {
        "id": str(doc.id),
        "external_id": doc.external_id,
        "content_hash": doc.content_hash,
        **texts_to_index(doc.title, doc.text, doc.author, doc.source, doc.url),
    }
    if postings is not None:
        values["_postings"] = postings
    if doc.title:
        values["_stored_title"] = doc.title
    if doc.source:
        values["source_facet"] = doc.source
    if doc.language:
        values["lang"] = doc.language.lower()
    if doc.published_at is not None:
        published = to_utc_naive(doc.published_at)
        values["published"] = published
        values["dated"] = "1"
        values["year"] = f"{published.year:04d}"
        values["month"] = f"{published.year:04d}-{published.month:02d}"
        values["day"] = f"{published.year:04d}-{published.month:02d}-{published.day:02d}"
    return values


def stored_published(value: datetime | None) -> datetime | None:
    """Whoosh hands back the naive UTC datetime it stored; callers get it timezone-aware."""
    return None if value is None else value.replace(tzinfo=timezone.utc)


@lru_cache(maxsize=1)
def new_index_schema() -> fields.Schema:
    """What a new index gets, built once on first use: a search reads its index's own schema."""
    return build_schema()
