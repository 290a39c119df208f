"""The fixed query set for search latency: what people type into a news archive.

Phrases (with and without slop), fields, dates (in the query and as since/until), booleans,
negation, wildcards, a fuzzy word, sorting by date, facets, one very common word (the worst case
for scoring) and one word that matches nothing (which triggers the spelling suggestion).
Each entry is the keyword arguments of ``Archive.search`` plus ``query``.
"""

from __future__ import annotations

from typing import Any

QUERIES: list[dict[str, Any]] = [
    {"name": "word", "query": "coffee"},
    {"name": "common word", "query": "said"},
    {"name": "phrase", "query": '"oil prices"'},
    {"name": "phrase slop", "query": '"trade deficit"~3'},
    {"name": "field title", "query": "title:opec"},
    {"name": "phrase AND field", "query": '"oil prices" AND title:opec'},
    {"name": "minus", "query": "coffee -brazil"},
    {"name": "AND NOT field", "query": "acquisition AND NOT title:merger"},
    {"name": "OR x3", "query": "wheat OR corn OR soybeans"},
    {"name": "group AND field", "query": "(gold OR silver) AND title:prices"},
    {"name": "phrase AND group", "query": '"federal reserve" AND (rates OR interest)'},
    {"name": "three words", "query": "japan semiconductor tariffs"},
    {"name": "date range + phrase", "query": 'published:[1987-03-01 TO 1987-03-15] "trade deficit"'},
    {"name": "date month", "query": "published:1987-04 dividend"},
    {"name": "date comparison", "query": "published:>=1987-06-01 takeover"},
    {"name": "since/until", "query": "interest rates", "since": "1987-03-01", "until": "1987-05-31"},
    {"name": "wildcard", "query": "export*"},
    {"name": "wildcard in field", "query": "title:bank*"},
    {"name": "fuzzy", "query": "dolar~1"},
    {"name": "sort -date", "query": "opec", "sort": "-date"},
    {"name": "sort date + phrase", "query": '"net loss"', "sort": "date"},
    {"name": "source field", "query": "source:reuters cocoa"},
    {"name": "facets", "query": "oil", "facets": ["source", "year"]},
    {"name": "page 3", "query": "bank", "offset": 20, "limit": 10},
    {"name": "no match (suggestion)", "query": "cofee"},
]
