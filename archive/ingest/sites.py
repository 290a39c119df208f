"""The site an article's address names: its publisher when the record names none.

A JSON or CSV export from a scraper often holds each article's ``url`` and no publisher field,
and provenance reads a text's outlet from its publisher (a site's own re-issues, a model's
outlet, who a text credits). Pages fetched from a web archive's replay address
("https://web.archive.org/web/20190101000000/https://www.cnn.com/...") name the archive as their
site; the site they hold is the one in the address after the capture's timestamp.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# A replay address: a capture's timestamp (a year at least, a second at most, with the archive's
# optional mode such as "id_" or "im_") as one path segment, the archived address after it.
_REPLAY = re.compile(r"/(?P<stamp>\d{4,14})(?:[a-z]{2}_)?/(?P<archived>.+)$")
_SCHEME = re.compile(r"https?:/+", re.IGNORECASE)
_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,24}")
# A full timestamp (YYYYMMDD and on) is no date in a news address's path ("/2019/01/02/"): an
# archived address after one may come without its scheme.
_FULL_STAMP = 8


def host_of(url: str | None) -> str | None:
    """The host ``url`` names, lower-cased, without a port or a leading "www."; None when it
    names none.

    >>> host_of("https://www.BBC.co.uk:443/news/x"), host_of("cnn.com/x"), host_of("not a url")
    ('bbc.co.uk', None, None)
    """
    if not url or not _SCHEME.match(url.strip()):
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:  # an address urlsplit refuses (a bad port, a broken IPv6 literal)
        return None
    if not host or not _HOST.fullmatch(host):
        return None
    return host[4:] if host.startswith("www.") and host.count(".") > 1 else host


def archived_url(url: str | None) -> str | None:
    """The address a web archive's replay address holds, with its scheme; None when ``url`` is
    no replay address.

    >>> archived_url("https://web.archive.org/web/20190101000000id_/https://www.cnn.com/a.html")
    'https://www.cnn.com/a.html'
    >>> archived_url("https://arquivo.pt/wayback/20190101000000/http:/publico.pt/x")
    'http://publico.pt/x'
    >>> archived_url("https://web.archive.org/web/20190101000000/www.cnn.com/a.html")
    'http://www.cnn.com/a.html'
    >>> archived_url("https://www.cnn.com/2019/01/01/politics/story.html") is None
    True
    """
    address = (url or "").strip()
    scheme = _SCHEME.match(address)
    if scheme is None or host_of(address) is None:
        return None
    found = _REPLAY.search(address, scheme.end())
    if found is None:
        return None
    archived = found.group("archived")
    inner = _SCHEME.match(archived)
    if inner is not None:
        candidate = inner.group(0).split(":")[0].lower() + "://" + archived[inner.end():]
    elif len(found.group("stamp")) >= _FULL_STAMP:
        candidate = "http://" + archived
    else:
        return None
    return candidate if host_of(candidate) is not None else None


def site_of(url: str | None) -> str | None:
    """The site ``url`` publishes from: its host, or the archived address's host when it is a
    web archive's replay address.

    >>> site_of("https://web.archive.org/web/2019/https://www.theguardian.com/uk"), site_of(None)
    ('theguardian.com', None)
    """
    return host_of(archived_url(url) or url)


def names_host_of(source: str, url: str) -> bool:
    """``source`` (a publisher as a page names it) only names the host of ``url`` ("archive.org"
    or "web.archive.org" for a replay address), not a site of its own.

    >>> names_host_of("archive.org", "https://web.archive.org/web/2019/https://cnn.com/a")
    True
    >>> names_host_of("CNN", "https://web.archive.org/web/2019/https://cnn.com/a")
    False
    """
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:  # an address urlsplit refuses names no host
        return False
    name = source.strip().lower()
    return bool(name) and (host == name or host.endswith("." + name))
