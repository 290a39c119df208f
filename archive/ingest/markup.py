"""Text out of the HTML that JSON exports put in their fields.

A CMS export or API (WordPress's ``content.rendered``, a scraper's ``body_html``) hands over the
article as an HTML fragment, and titles with character references ("Don&#8217;t"). Stored as they
came, the tags would be searched and the references would differ from a copy's plain
apostrophes at every word that holds one, which provenance would read as swapped words. A
fragment is not a page: it is the article already, so it is turned into text as it stands
(paragraphs and line breaks kept, scripts dropped), not run through a page extractor that
would judge short paragraphs to be boilerplate.
"""

from __future__ import annotations

import html
import re
from typing import Any

_ELEMENTS = (r"(?:p|br|div|span|a|b|i|u|em|strong|small|sup|sub|mark|h[1-6]|ul|ol|li|blockquote|q|cite|figure"
             r"|figcaption|img|picture|source|table|thead|tbody|tr|td|th|pre|code|hr|section|article|header"
             r"|footer|aside|iframe|script|style|noscript)")
# What only markup looks like: an element closed ("</p>"), one with attributes ('<a href="'), a line
# break. A bare "<U>" or "<Mark Resources Inc>" is text: wire copy puts tickers and company names
# in angle brackets (Reuters), and "x < y" is no tag either.
_MARKUP = re.compile(rf"</{_ELEMENTS}\s*>|<{_ELEMENTS}\s+[a-zA-Z-]+\s*=|<br\s*/?>", re.IGNORECASE)
# An HTML character reference: numeric, hexadecimal or named, closed by ";".
CHARACTER_REFERENCE = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# Elements whose end starts a new line of text; those whose content is not text at all.
_BLOCKS = frozenset("""p div h1 h2 h3 h4 h5 h6 ul ol li blockquote figure figcaption table thead tbody tr
pre hr section article header footer aside""".split())
_NOT_TEXT = frozenset("script style noscript iframe template".split())


def holds_markup(text: str) -> bool:
    """The text carries HTML markup or character references."""
    return _MARKUP.search(text) is not None or CHARACTER_REFERENCE.search(text) is not None


def resolve_references(text: str) -> str:
    """``text`` with each character reference closed by ";" resolved, once. Each reference
    alone: html.unescape would also read "&notable" as "¬able" (HTML's legacy references need no
    semicolon), which in plain text is the word it looks like."""
    return CHARACTER_REFERENCE.sub(lambda m: html.unescape(m.group()), text)


def as_text(fragment: str) -> str:
    """The text of an HTML fragment: tags gone, references resolved, a paragraph (or any block,
    or a ``<br>``) a line of its own. Text without markup only has its references resolved."""
    if _MARKUP.search(fragment) is None:
        return resolve_references(fragment)
    import lxml.html  # (lxml comes with trafilatura; imported only for the records that need it)

    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (ValueError, lxml.etree.ParserError):  # type: ignore[attr-defined]
        return html.unescape(_MARKUP.sub(" ", fragment))
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
