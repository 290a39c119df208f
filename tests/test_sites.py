"""The site an article's address names (archive/ingest/sites.py): a record's publisher when it
names none, and a page fetched from a web archive's replay address is its own site's."""

from __future__ import annotations

import pytest

from archive.ingest.sites import archived_url, host_of, names_host_of, site_of


@pytest.mark.parametrize(("url", "host"), [
    ("https://www.BBC.co.uk:443/news/x", "bbc.co.uk"),
    ("http://news.example.com/a?b=c#d", "news.example.com"),
    ("https://www.com/", "www.com"),  # a host that is only "www" and a top-level domain keeps it
    ("cnn.com/politics", None),  # no scheme: a path, not an address
    ("mailto:desk@example.com", None),
    ("https://[::1/", None),  # an address urlsplit refuses
    ("", None),
    (None, None),
])
def test_an_address_names_its_host(url: str | None, host: str | None) -> None:
    assert host_of(url) == host


@pytest.mark.parametrize(("url", "archived"), [
    ("https://web.archive.org/web/20190101000000/https://www.cnn.com/2019/a.html", "https://www.cnn.com/2019/a.html"),
    ("https://web.archive.org/web/20190101000000id_/http://example.org/x", "http://example.org/x"),
    ("https://web.archive.org/web/2019/https://www.theguardian.com/uk", "https://www.theguardian.com/uk"),
    ("https://arquivo.pt/wayback/20190101000000/http:/publico.pt/x", "http://publico.pt/x"),
    ("https://web.archive.org/web/20190101000000/www.cnn.com/a", "http://www.cnn.com/a"),
    # A news address's dated path is no capture's timestamp.
    ("https://www.cnn.com/2019/01/01/politics/story.html", None),
    ("https://example.com/archive/2019/www-tips", None),
    ("https://web.archive.org/web/20190101000000/not-a-site", None),
    ("https://www.cnn.com/", None),
])
def test_a_replay_address_holds_the_archived_address(url: str, archived: str | None) -> None:
    assert archived_url(url) == archived


def test_a_pages_site_is_the_archived_sites_behind_a_replay_address() -> None:
    replay = "https://web.archive.org/web/20190101000000/https://www.cnn.com/2019/a.html"
    assert site_of(replay) == "cnn.com" and site_of("https://www.cnn.com/2019/a.html") == "cnn.com"
    assert names_host_of("archive.org", replay) and names_host_of("web.archive.org", replay)
    assert not names_host_of("CNN", replay) and not names_host_of("", replay)
    assert not names_host_of("CNN", "https://[::1/x")  # an address urlsplit refuses
