"""The query language: a small hand-written lexer and parser that check everything they accept.

Nothing is dropped or reinterpreted quietly: input that cannot be run as written raises
``QueryError``; input that can only be read leniently (a word with no letters, a lower-case "or")
is run and explained in ``ParsedQuery.warnings``.

Grammar (``AND`` binds tighter than ``OR``; juxtaposition means ``AND``)::

    query   := or
    or      := and ("OR" and)*
    and     := unary (["AND"] unary)*
    unary   := "NOT" unary | "-" primary | primary
    primary := "(" or ")" | FIELD ":" value | PHRASE | WORD
    value   := "(" or ")" | PHRASE | WORD | "[" date "TO" date "]"
    PHRASE  := '"' words '"' ["~" N]        N >= 1: consecutive words at most N positions apart
    WORD    := word | word "~" [1|2] | glob with * and ?

A phrase's quotes may be any double quotation marks (``_DOUBLE_QUOTES``), single guillemets, or
curly single quotes around words with a space between them (``_curly_phrase_end``).
"""

from __future__ import annotations

import re
from datetime import datetime

from archive.errors import QueryError
from archive.invisible import without_hidden_characters
from archive.records import field, record
from archive.search.analysis import words
from archive.search.dates import Interval, comparison, parse_period

TEXT_FIELDS = ("title", "text", "author", "source", "url")
FIELDS = (*TEXT_FIELDS, "lang", "published")
DEFAULT_FIELDS = ("title", "text")
OPERATORS = ("AND", "OR", "NOT")
FUZZY_DEFAULT = 2
FUZZY_MAX = 2
# Hostile queries get a QueryError, not a RecursionError: parsing, compiling and matching walk the
# tree recursively. Parentheses and NOTs nest at most this deep (Elasticsearch's
# indices.query.bool.max_nested_depth is 30)...
MAX_NESTING = 30
# ...and a query holds at most this many words, phrases and field values (Lucene's maxClauseCount).
MAX_OPERANDS = 1024

# Characters other engines give meaning to inside a word; we would otherwise split on them silently.
_UNSUPPORTED_IN_WORD = {
    "^": "boosts (^) are not supported",
    "\\": "backslash escapes are not supported; put the text in double quotes instead",
    "{": "ranges use square brackets: published:[2023-01-01 TO 2023-06-30]",
}
# Double quotation marks as keyboards and autocorrection type them in various languages (English
# “…”, German „…“ and »…«, French «…», Swedish ”…”, full-width ＂…＂): any of them opens a phrase
# and the next one closes it, since each language pairs them differently. Single guillemets ‹…›
# pair with each other.
_DOUBLE_QUOTES = '"“”„‟«»＂'
_SINGLE_GUILLEMETS = "‹›"
_CLOSING_QUOTES = {**dict.fromkeys(_DOUBLE_QUOTES, _DOUBLE_QUOTES),
                   **dict.fromkeys(_SINGLE_GUILLEMETS, _SINGLE_GUILLEMETS)}
# A word ends at a space, a parenthesis or a quote that opens a phrase.
_WORD_END = "()" + _DOUBLE_QUOTES + _SINGLE_GUILLEMETS
# ’ is also the apostrophe ("don’t", "Reuters’"): ‘…’ is a phrase only where ‘ starts a word and
# ’ ends one, with a space between (see _curly_phrase_end); elsewhere both are punctuation.
_CURLY_OPEN, _CURLY_CLOSE = "‘", "’"
_FIELD_PREFIX = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):")
_FUZZY_SUFFIX = re.compile(r"~(\d*)$")
# Patterns of wildcards and dates, which most queries do not have: compiled on first use (re's
# cache), not by every process that imports this module (~0.2 ms each).
_GLOB = r"[^\W_]*(?:[*?][^\W_]*)+"
_DATE_COMPARISON = r"(?s)(>=|<=|>|<)(.*)"
_RANGE = r"\[\s*(\S+)\s+(?:TO|to)\s+(\S+)\s*\]"


# ---------------------------------------------------------------- syntax tree


@record
class Words:
    """One word or a phrase (a sequence of index terms), searched in any of ``fields``.

    The terms (and a Wildcard's pattern, a Fuzzy's term) keep their Latin letters as written:
    the index they are searched in folds them if it was built folding (analysis.FOLDING_RULE).

    ``slop`` is the largest allowed position difference between consecutive words: 1 = adjacent.
    ``span`` locates the source text in the query string (used to spell suggestions).
    """

    fields: tuple[str, ...]
    terms: tuple[str, ...]
    slop: int
    span: tuple[int, int]


@record
class Wildcard:
    """A glob over single index terms: ``*`` any run of characters, ``?`` one character."""

    fields: tuple[str, ...]
    pattern: str


@record
class Fuzzy:
    """Terms within ``maxdist`` edits (Levenshtein) of ``term`` that share its first character."""

    fields: tuple[str, ...]
    term: str
    maxdist: int


@record
class Exact:
    """An untokenised field compared whole (``lang``)."""

    field: str
    value: str


@record
class DateFilter:
    """``published`` within a half-open interval of naive UTC datetimes."""

    interval: Interval


@record
class And:
    children: tuple[Node, ...]


@record
class Or:
    children: tuple[Node, ...]


@record
class Not:
    child: Node


Node = Words | Wildcard | Fuzzy | Exact | DateFilter | And | Or | Not


@record
class ParsedQuery:
    text: str
    root: Node
    warnings: tuple[str, ...] = field(default=())


# ---------------------------------------------------------------- lexer


@record
class _Token:
    kind: str  # "(" ")" AND OR NOT "-" FIELD PHRASE WORD RANGE
    text: str  # operator word, field name, phrase/word/range body
    start: int
    end: int
    slop: int = 1


def _lex(query: str, warnings: list[str]) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append(_Token(ch, ch, i, i + 1))
            i += 1
        elif ch in _CLOSING_QUOTES:
            token, i = _lex_phrase(query, i, _closing_quote(query, i), warnings)
            tokens.append(token)
        elif ch == _CURLY_OPEN and (close := _curly_phrase_end(query, i)) is not None:
            token, i = _lex_phrase(query, i, close, warnings)
            tokens.append(token)
        elif ch == "[":
            close = query.find("]", i)
            if close < 0:
                raise QueryError(f"unbalanced bracket: the '[' at position {i + 1} is never closed")
            tokens.append(_Token("RANGE", query[i : close + 1], i, close + 1))
            i = close + 1
        elif ch == "]":
            raise QueryError(f"unbalanced bracket: the ']' at position {i + 1} has no '['")
        elif ch == "-" and _starts_operand(query, i + 1):
            tokens.append(_Token("-", "-", i, i + 1))
            i += 1
        else:
            end = i
            while end < n and not query[end].isspace() and query[end] not in _WORD_END:
                end += 1
            word = query[i:end]
            field_match = _FIELD_PREFIX.match(word)
            if field_match:
                name = field_match.group(1)
                value_start = i + field_match.end()
                if value_start >= n or query[value_start].isspace() or query[value_start] == ")":
                    raise QueryError(f"'{name}:' at position {i + 1} needs a value right after the colon")
                tokens.append(_Token("FIELD", name, i, value_start))
                i = value_start
                continue
            tokens.append(_word_token(word, i, end, warnings))
            i = end
    return tokens


def _starts_operand(query: str, i: int) -> bool:
    return i < len(query) and not query[i].isspace() and query[i] != ")"


def _closing_quote(query: str, start: int) -> int:
    """Where the phrase opened by the quote at ``start`` closes: its next closing quote."""
    closers = _CLOSING_QUOTES[query[start]]
    close = next((i for i in range(start + 1, len(query)) if query[i] in closers), None)
    if close is None:
        raise QueryError(f"unbalanced quote: the {query[start]} at position {start + 1} is never closed")
    return close


def _curly_phrase_end(query: str, start: int) -> int | None:
    """Where the phrase opened by the ‘ at ``start`` closes: the first ’ that ends a word after
    a space, when ‘ starts a word; None when it opens no phrase (then it is punctuation)."""
    if start > 0 and not query[start - 1].isspace() and query[start - 1] not in "(:-":
        return None
    close = start
    while (close := query.find(_CURLY_CLOSE, close + 1)) >= 0:
        at_word_end = not query[close - 1].isspace() and (
            close + 1 == len(query) or query[close + 1].isspace() or query[close + 1] in ")~")
        if at_word_end and any(c.isspace() for c in query[start + 1 : close].strip()):
            return close
    return None


def _lex_phrase(query: str, start: int, close: int, warnings: list[str]) -> tuple[_Token, int]:
    body = query[start + 1 : close]
    end = close + 1
    slop = 1
    if end < len(query) and query[end] == "~":
        digits = re.match(r"\d+", query[end + 1 :])
        if digits is None:
            raise QueryError(f'"{body}"~ needs a whole number after the ~, e.g. "{body}"~3')
        slop = int(digits.group())
        if slop < 1:
            raise QueryError(f'"{body}"~{slop}: the distance must be at least 1 (1 = adjacent words)')
        end += 1 + digits.end()
    if "*" in body or "?" in body:
        warnings.append(f'"{body}": * and ? inside quotes are not wildcards; they were ignored')
    return _Token("PHRASE", body, start, end, slop), end


def _word_token(word: str, start: int, end: int, warnings: list[str]) -> _Token:
    if word in OPERATORS:
        return _Token(word, word, start, end)
    if word in ("&&", "||", "!"):
        replacement = {"&&": "AND", "||": "OR", "!": "NOT"}[word]
        raise QueryError(f"'{word}' is not an operator here; write {replacement}")
    if word == "-":
        raise QueryError(f"lone '-' at position {start + 1}: write -word to exclude a word")
    if word.startswith("+"):
        raise QueryError(f"'{word}': '+' is not supported; every word is required unless you use OR")
    for char, reason in _UNSUPPORTED_IN_WORD.items():
        if char in word:
            raise QueryError(f"'{word}': {reason}")
    if word.lower() in ("and", "or", "not"):
        warnings.append(f"'{word}' is searched as a word; write {word.upper()} for the operator")
    return _Token("WORD", word, start, end)


# ---------------------------------------------------------------- parser


def parse(query: str) -> ParsedQuery:
    """Parse a user query string into a checked syntax tree, or raise ``QueryError``.

    The characters ingest drops from texts (soft hyphens, zero-width spaces...) are dropped first,
    so that a word pasted with one finds the word as stored; positions count without them."""
    query = without_hidden_characters(query)
    if not query.strip():
        raise QueryError("empty query: give at least one word")
    warnings: list[str] = []
    tokens = _lex(query, warnings)
    _check_operands(tokens)
    parser = _Parser(query, tokens, warnings)
    root = parser.parse()
    return ParsedQuery(query, root, tuple(dict.fromkeys(warnings)))


def _check_operands(tokens: list[_Token]) -> None:
    operands = sum(1 for token in tokens if token.kind in ("WORD", "PHRASE", "RANGE"))
    if operands > MAX_OPERANDS:
        raise QueryError(f"the query has {operands} words, phrases and values; at most {MAX_OPERANDS} are allowed")


class _Parser:
    def __init__(self, query: str, tokens: list[_Token], warnings: list[str]) -> None:
        self.query = query
        self.tokens = tokens
        self.pos = 0
        self.warnings = warnings
        self.depth = 0  # parentheses and NOTs open around the current token

    def _enter(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise QueryError(f"the query nests parentheses and NOTs more than {MAX_NESTING} deep "
                             f"(at position {token.start + 1})")

    def parse(self) -> Node:
        if not self.tokens:
            raise QueryError(f"{self.query!r} contains no words to search for")
        node = self._or(None)
        if self.pos < len(self.tokens):
            token = self.tokens[self.pos]
            if token.kind == ")":
                raise QueryError(f"unbalanced parenthesis: the ')' at position {token.start + 1} has no '('")
            raise QueryError(f"unexpected {token.text!r} at position {token.start + 1}")
        if node is None:
            raise QueryError(f"{self.query!r} contains no words to search for")
        return node

    def _peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _next(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    # Each level returns None when all its parts were words without letters (already warned about).

    def _or(self, fields: tuple[str, ...] | None) -> Node | None:
        parts = [self._and(fields)]
        while (token := self._peek()) is not None and token.kind == "OR":
            self._next()
            self._require_operand(token)
            parts.append(self._and(fields))
        return _combine(Or, parts)

    def _and(self, fields: tuple[str, ...] | None) -> Node | None:
        first = self._peek()
        if first is not None and first.kind in ("AND", "OR"):
            raise QueryError(f"{first.kind} at position {first.start + 1} has nothing on its left")
        parts = [self._unary(fields)]
        while (token := self._peek()) is not None and token.kind not in ("OR", ")"):
            if token.kind == "AND":
                self._next()
                self._require_operand(token)
            parts.append(self._unary(fields))
        return _combine(And, parts)

    def _require_operand(self, operator: _Token) -> None:
        token = self._peek()
        if token is None or token.kind in ("AND", "OR", ")"):
            raise QueryError(f"{operator.text} at position {operator.start + 1} has nothing on its right")

    def _unary(self, fields: tuple[str, ...] | None) -> Node | None:
        token = self._peek()
        assert token is not None
        if token.kind in ("NOT", "-"):
            self._next()
            self._require_operand(token)
            self._enter(token)
            child = self._unary(fields) if token.kind == "NOT" else self._primary(fields)
            self.depth -= 1
            return None if child is None else Not(child)
        return self._primary(fields)

    def _primary(self, fields: tuple[str, ...] | None) -> Node | None:
        token = self._next()
        if token.kind == "(":
            return self._group(token, fields)
        if token.kind == ")":
            raise QueryError(f"unbalanced parenthesis: the ')' at position {token.start + 1} has no '('")
        if token.kind == "FIELD":
            return self._field(token, fields)
        if token.kind in ("NOT", "-"):
            raise QueryError(f"{token.text} at position {token.start + 1} cannot follow '-'")
        return self._value(token, fields)

    def _group(self, open_token: _Token, fields: tuple[str, ...] | None) -> Node | None:
        if (token := self._peek()) is not None and token.kind == ")":
            raise QueryError(f"empty parentheses at position {open_token.start + 1}")
        if token is None:
            raise QueryError(f"unbalanced parenthesis: the '(' at position {open_token.start + 1} is never closed")
        self._enter(open_token)
        node = self._or(fields)
        close = self._peek()
        if close is None or close.kind != ")":
            raise QueryError(f"unbalanced parenthesis: the '(' at position {open_token.start + 1} is never closed")
        self._next()
        self.depth -= 1
        return node

    def _field(self, token: _Token, outer: tuple[str, ...] | None) -> Node | None:
        name = token.text.lower()
        if name not in FIELDS:
            raise QueryError(
                f"unknown field '{token.text}:'; valid fields are: {', '.join(f + ':' for f in FIELDS)}"
                f' (to search for text containing a colon, put it in double quotes)'
            )
        if outer is not None:
            raise QueryError(f"'{token.text}:' at position {token.start + 1} is inside another field's value")
        value = self._next()
        if value.kind == "(":
            return self._group(value, (name,))
        if value.kind == "FIELD":
            raise QueryError(f"'{value.text}:' at position {value.start + 1} is inside another field's value")
        if value.kind == "-":
            raise QueryError(f"write the minus before the field: -{name}:... (position {value.start + 1})")
        if value.kind not in ("WORD", "PHRASE", "RANGE"):
            raise QueryError(f"'{name}:' at position {token.start + 1} needs a value, not {value.text!r}")
        return self._value(value, (name,))

    def _value(self, token: _Token, fields: tuple[str, ...] | None) -> Node | None:
        if fields == ("published",):
            return _date_value(token)
        if token.kind == "RANGE":
            written = f"{fields[0]}:{token.text}" if fields else token.text
            raise QueryError(f"{written}: ranges only work on dates, e.g. published:[2023-01-01 TO 2023-06-30]")
        if fields == ("lang",):
            return _lang_value(token)
        fields = fields or DEFAULT_FIELDS
        if token.kind == "PHRASE":
            terms = tuple(words(token.text, folded=False))
            if not terms:
                raise QueryError(f'"{token.text}" at position {token.start + 1} contains no words')
            return Words(fields, terms, token.slop, (token.start, token.end))
        return self._word(token, fields)

    def _word(self, token: _Token, fields: tuple[str, ...]) -> Node | None:
        raw = token.text
        fuzzy = _FUZZY_SUFFIX.search(raw)
        if fuzzy:
            return _fuzzy_value(raw, fuzzy, fields)
        if "~" in raw:
            raise QueryError(f"'{raw}': ~ goes at the end of a word (fuzzy) or after a closing quote (proximity)")
        if "*" in raw or "?" in raw:
            return _wildcard_value(raw, fields)
        terms = tuple(words(raw, folded=False))
        if not terms:
            self.warnings.append(f"ignored '{raw}': it has no letters or digits to search for")
            return None
        # A word the tokenizer splits (state-owned, U.S.) is searched as the phrase it indexes as.
        return Words(fields, terms, 1, (token.start, token.end))


def _combine(kind: type[And] | type[Or], parts: list[Node | None]) -> Node | None:
    kept = tuple(p for p in parts if p is not None)
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else kind(kept)


def _fuzzy_value(raw: str, suffix: re.Match[str], fields: tuple[str, ...]) -> Node:
    body = raw[: suffix.start()]
    maxdist = int(suffix.group(1)) if suffix.group(1) else FUZZY_DEFAULT
    if not 1 <= maxdist <= FUZZY_MAX:
        raise QueryError(f"'{raw}': the fuzzy distance must be 1 or 2")
    terms = words(body, folded=False)
    if len(terms) != 1 or "*" in body or "?" in body:
        raise QueryError(f"'{raw}': fuzzy search (~) works on a single word")
    return Fuzzy(fields, terms[0], maxdist)


def _wildcard_value(raw: str, fields: tuple[str, ...]) -> Node:
    pattern = raw.lower().replace("'", "").replace("’", "")
    if not re.fullmatch(_GLOB, pattern):
        raise QueryError(f"'{raw}': a wildcard pattern may contain only letters, digits, * and ?")
    if not any(c.isalnum() for c in pattern):
        raise QueryError(f"'{raw}' would match every word; add some letters")
    return Wildcard(fields, pattern)


def _lang_value(token: _Token) -> Node:
    code = token.text.strip()  # (quoted or not: a code has no spaces to quote)
    if re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*", code):
        return Exact("lang", code.lower())
    written = f'lang:"{token.text}"' if token.kind == "PHRASE" else f"lang:{token.text}"
    if len(code.split()) > 1:
        raise QueryError(f"{written}: give one language code; for several, lang:({' OR '.join(code.split())})")
    raise QueryError(f"{written}: {code!r} is not a language code; write its two letters (ISO 639-1), e.g. lang:en")


def _date_value(token: _Token) -> Node:
    what = f"published:{token.text}"
    if token.kind == "PHRASE":
        raise QueryError(f'published:"{token.text}": dates are written without quotes, e.g. published:2023-11')
    if token.kind == "RANGE":
        match = re.fullmatch(_RANGE, token.text)
        if match is None:
            raise QueryError(f"{what}: write ranges as published:[2023-01-01 TO 2023-06-30]")
        start = None if match.group(1) == "*" else parse_period(match.group(1), what=what).start
        end = None if match.group(2) == "*" else parse_period(match.group(2), what=what).end
        if start is None and end is None:
            raise QueryError(f"{what}: give at least one end of the range")
        if start is not None and end is not None and start >= end:
            raise QueryError(f"{what}: the range ends before it starts")
        return DateFilter(Interval(start, end))
    match = re.fullmatch(_DATE_COMPARISON, token.text)
    if match:
        return DateFilter(comparison(match.group(1), parse_period(match.group(2), what=what)))
    return DateFilter(parse_period(token.text, what=what))


def date_filter(start: datetime | None, end: datetime | None) -> Node | None:
    """The node for the ``since``/``until`` arguments, or None when neither is given."""
    if start is None and end is None:
        return None
    if start is not None and end is not None and start >= end:
        raise QueryError("since is after until: no document can match")
    return DateFilter(Interval(start, end))
