"""Which outlet a text's publisher field names, as compared between texts.

One outlet reaches an archive spelt several ways: a page's site name ("Reuters"), its host name
when the page gives none ("www.reuters.com"), an export's field ("reuters.com", "REUTERS"). The
key folds those spellings together, so that a newsroom's own follow-ups are known as its own
whichever way each was stored, and a credit ("according to Reuters") is matched to the outlet it
names. It folds nothing else: "bbc.co.uk" and "BBC News" stay apart (no table of outlets here),
and hosts on one platform ("a.blogspot.com", "b.blogspot.com") stay apart too.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# A host name: dotted labels, the last one letters only (a top-level domain). "chatgpt_3.5" or
# "v1.3" are not hosts.
_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,24}")
# Labels a host starts with that name no outlet: the web's, mobile and accelerated-page prefixes.
_HOST_PREFIXES = frozenset({"www", "www1", "www2", "m", "mobile", "amp"})
# Second-level labels of country domains that are not a name ("bbc.co.uk", "abc.net.au").
_GENERIC_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "gov", "ac", "edu", "or", "ne", "go"})
_NOT_NAME = re.compile(r"[\W_]+")


def outlet_key(source: str | None) -> str | None:
    """The outlet ``source`` names, as compared; None when it names none.

    >>> outlet_key("www.Reuters.com") == outlet_key("Reuters") == outlet_key("https://www.reuters.com/markets/")
    True
    >>> outlet_key("bbc.co.uk"), outlet_key("BBC News"), outlet_key("The New Republic")
    ('bbc', 'bbcnews', 'thenewrepublic')
    """
    if source is None:
        return None
    name = source.strip().lower()
    if name.startswith(("http://", "https://")):
        name = urlsplit(name).hostname or name  # a publisher field holding a link names its site
    if _HOST.fullmatch(name):
        labels = name.split(".")[:-1]  # without the top-level domain
        if len(labels) > 1 and labels[-1] in _GENERIC_SECOND_LEVEL:
            labels = labels[:-1]
        while len(labels) > 1 and labels[0] in _HOST_PREFIXES:
            labels = labels[1:]
        name = ".".join(labels)
    key = _NOT_NAME.sub("", name)
    return key or None
