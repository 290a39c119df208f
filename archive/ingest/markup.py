"""Text out of the HTML that JSON exports put in their fields.

A CMS export or API (WordPress's ``content.rendered``, a scraper's ``body_html``) hands over the
article as an HTML fragment, and titles with character references ("Don&#8217;t"). Stored as they
came, the tags would be searched and the references would differ from a copy's plain
apostrophes at every word that holds one, which provenance would read as swapped words. A
fragment is not a page: it is the article already, so it is turned into text as it stands
(paragraphs and line breaks kept, scripts dropped), not run through a page extractor that
would judge short paragraphs to be boilerplate. A story about the web names tags in its prose
("the <script> tag"): such a field is text, and only markup that could be nothing else is read
as HTML.
"""

from __future__ import annotations

import html
import html.entities
import re
from typing import Any

_ELEMENTS = (r"(?:p|br|div|span|a|b|i|u|em|strong|small|sup|sub|mark|h[1-6]|ul|ol|li|blockquote|q|cite|figure"
             r"|figcaption|img|picture|source|table|thead|tbody|tr|td|th|pre|code|hr|section|article|header"
             r"|footer|aside|iframe|script|style|noscript)")
# What only markup looks like: an element closed right after its content ("mayor</b>", ".</p>"),
# one with attributes ('<a href="'), a line break. A bare "<U>" or "<Mark Resources Inc>" is text:
# wire copy puts tickers and company names in angle brackets (Reuters), and "x < y" is no tag
# either. Nor is a tag set off by spaces as a word is: prose naming tags ("wrap a word in <b> and
# </b>") is the normal content of a story about the web, and read as markup it would lose them.
_MARKUP = re.compile(rf"(?<=\S)</{_ELEMENTS}\s*>|<{_ELEMENTS}\s+[a-zA-Z-]+\s*=|<br\s*/?>", re.IGNORECASE)
# An HTML character reference: numeric, hexadecimal or named, closed by ";".
CHARACTER_REFERENCE = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# Elements whose end starts a new line of text; those whose content is not text at all.
_BLOCKS = frozenset("""p div h1 h2 h3 h4 h5 h6 ul ol li blockquote figure figcaption table thead tbody tr
pre hr section article header footer aside""".split())
_NOT_TEXT = frozenset("script style noscript iframe template".split())
_NOT_TEXT_TAG = re.compile(rf"<(/?)({'|'.join(sorted(_NOT_TEXT))})\b", re.IGNORECASE)


def holds_markup(text: str) -> bool:
    """The text carries HTML markup or character references."""
    return _MARKUP.search(text) is not None or CHARACTER_REFERENCE.search(text) is not None


def resolve_references(text: str) -> str:
    """``text`` with each character reference closed by ";" resolved, once. Each reference
    alone, and a name only when it is a whole one: html.unescape would also read "&notable" and
    "&notanentity;" as "¬able" and "¬anentity;" (HTML's legacy references need no semicolon),
    which in plain text are the words they look like."""
    return CHARACTER_REFERENCE.sub(_resolved, text)


def _resolved(reference: re.Match[str]) -> str:
    """The reference's character, or the reference as written when it names none."""
    written = reference.group()
    known = written[1] == "#" or written[1:] in html.entities.html5
    return html.unescape(written) if known else written


def as_text(fragment: str) -> str:
    """The text of an HTML fragment: tags gone, references resolved, a paragraph (or any block,
    or a ``<br>``) a line of its own. Text without markup only has its references resolved."""
    if _MARKUP.search(fragment) is None:
        return resolve_references(fragment)
    import lxml.html  # (lxml comes with trafilatura; imported only for the records that need it)

    fragment = _unclosed_as_text(fragment)
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (ValueError, lxml.etree.ParserError):  # type: ignore[attr-defined]
        return resolve_references(_MARKUP.sub(" ", fragment))
    out: list[str] = []  # finished lines, each followed by its break
    current: list[str] = []

    def end_line(paragraph: bool) -> None:
        line = " ".join("".join(current).split())
        current.clear()
        if line:
            out.extend((line, "\n\n" if paragraph else "\n"))
        elif paragraph and out:
            out[-1] = "\n\n"

    def walk(element: Any) -> None:
        # (comments and processing instructions have no string tag: neither is text)
        tag = element.tag.lower() if isinstance(element.tag, str) else "script"
        if tag not in _NOT_TEXT:
            if tag in _BLOCKS:
                end_line(paragraph=True)
            if element.text:
                current.append(element.text)
            for child in element:
                walk(child)
            if tag in _BLOCKS or tag == "br":
                end_line(paragraph=tag != "br")
        if element.tail:  # (a script's tail is text again)
            current.append(element.tail)

    walk(root)
    end_line(paragraph=True)
    return "".join(out).strip()


def _unclosed_as_text(fragment: str) -> str:
    """``fragment`` with each "<script" (or style, iframe, ...) not closed before the next one
    opens escaped as text: a parser reads such an element on to its end tag, so prose naming a
    "<script> tag" would lose all that follows it."""
    unclosed: list[int] = []
    opened: dict[str, int] = {}  # tag -> where its last start tag, not yet closed, begins
    for tag in _NOT_TEXT_TAG.finditer(fragment):
        name, closing = tag.group(2).lower(), bool(tag.group(1))
        start = opened.pop(name, None)
        if start is not None and not closing:
            unclosed.append(start)
        if not closing:
            opened[name] = tag.start()
    for start in sorted([*unclosed, *opened.values()], reverse=True):
        fragment = f"{fragment[:start]}&lt;{fragment[start + 1:]}"
    return fragment
