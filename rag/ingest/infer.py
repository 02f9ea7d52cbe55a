"""Metadata a record lacks, read from what it has: the outlet from its URL's host, the published
date from its URL's path or the dateline that opens its text. Pure: no I/O.

    infer(Article("x", "T", "WASHINGTON (AP) — ...", url="https://www.usatoday.com/story/news/2025/08/28/x/"))
      -> source "USA Today", published "2025-08-28", inferred ("source", "published")

Every value filled in is named in `Article.inferred`, so `newsrag info` can say how many there
are and a reader can tell a date the outlet gave from one read off a link.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from urllib.parse import urlsplit

from ..lexicon import MONTHS
from ..types import Article

# Readable names of well-known news sites, by registered domain (a subdomain maps to its site).
OUTLETS = {
    "abcnews.go.com": "ABC News", "abc.net.au": "ABC News (Australia)", "aljazeera.com": "Al Jazeera",
    "apnews.com": "AP News", "axios.com": "Axios", "bbc.co.uk": "BBC News", "bbc.com": "BBC News", "bbci.co.uk": "BBC News",
    "bloomberg.com": "Bloomberg", "breitbart.com": "Breitbart", "businessinsider.com": "Business Insider",
    "cbc.ca": "CBC News", "cbsnews.com": "CBS News", "cnbc.com": "CNBC", "cnn.com": "CNN",
    "dailymail.co.uk": "Daily Mail", "dw.com": "DW", "economist.com": "The Economist", "euronews.com": "Euronews",
    "forbes.com": "Forbes", "foxnews.com": "Fox News", "france24.com": "France 24", "ft.com": "Financial Times",
    "globalnews.ca": "Global News", "hindustantimes.com": "Hindustan Times", "huffpost.com": "HuffPost",
    "independent.co.uk": "The Independent", "latimes.com": "Los Angeles Times", "lemonde.fr": "Le Monde",
    "msnbc.com": "MSNBC", "nbcnews.com": "NBC News", "npr.org": "NPR", "nypost.com": "New York Post",
    "nytimes.com": "The New York Times", "politico.com": "Politico", "politico.eu": "Politico Europe",
    "reuters.com": "Reuters", "rt.com": "RT", "scmp.com": "South China Morning Post", "sky.com": "Sky News",
    "smh.com.au": "The Sydney Morning Herald", "telegraph.co.uk": "The Telegraph", "theatlantic.com": "The Atlantic",
    "theguardian.com": "The Guardian", "thehill.com": "The Hill", "thetimes.co.uk": "The Times",
    "theverge.com": "The Verge", "time.com": "Time", "timesofindia.indiatimes.com": "The Times of India",
    "usatoday.com": "USA Today", "vox.com": "Vox", "washingtonpost.com": "The Washington Post",
    "wikinews.org": "Wikinews", "wired.com": "Wired", "wsj.com": "The Wall Street Journal",
    "yahoo.com": "Yahoo News",
}
_PREFIXES = ("www.", "m.", "amp.", "mobile.", "edition.", "en.", "uk.", "us.", "news.")

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))  # names and abbreviations, longest first
_URL_DATES = (  # in a URL's path: /2025/08/28/, /2025-08-28/, /20250828/, /2019/jan/05/
    re.compile(r"/((?:19|20)\d\d)[/_-](\d\d)[/_-](\d\d)(?=[/_.-]|$)"),
    re.compile(r"/((?:19|20)\d\d)(\d\d)(\d\d)(?=[/_.-]|$)"),
    re.compile(rf"/((?:19|20)\d\d)/({_MONTH})/(\d\d?)(?=/)", re.I),
)
# A dateline: "WASHINGTON, Aug. 28, 2025 —", "Monday, March 2, 2020 –", "(28 August 2025)" at the start.
_DATELINE = re.compile(
    rf"^\W{{0,3}}(?:[A-Z][\w .'’-]{{0,40}}?,\s*)?(?:\w+day,?\s+)?"
    rf"(?:(?P<m1>{_MONTH})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>(?:19|20)\d\d)"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{_MONTH})\.?,?\s+(?P<y2>(?:19|20)\d\d))\b",
    re.I,
)
DATELINE_CHARS = 120  # a dateline opens the text: no further in than this


def outlet_of(url: str) -> str:
    """The outlet a URL belongs to: a readable name for a well-known site, else its host without
    'www.' ('' for no URL or a file path)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme not in ("http", "https") or not host or host in ("localhost",) or re.fullmatch(r"[\d.:]+", host):
        return ""
    labels = host.split(".")
    for i in range(len(labels) - 1):
        if (name := OUTLETS.get(".".join(labels[i:]))) is not None:
            return name
    for prefix in _PREFIXES:
        if host.startswith(prefix) and host.count(".") > 1:
            return host[len(prefix):]
    return host


def date_in_url(url: str) -> str | None:
    """The date a URL's path gives (YYYY-MM-DD), if it gives a whole, real one."""
    path = urlsplit(url.strip()).path
    for rx in _URL_DATES:
        if m := rx.search(path):
            y, mo, d = m.groups()
            month = int(mo) if mo.isdigit() else MONTHS[mo.lower()]
            if (day := _real(int(y), month, int(d))) is not None:
                return day
    return None


def date_in_dateline(text: str) -> str | None:
    """The date of a dateline that opens `text` ("WASHINGTON, Aug. 28, 2025 —"), YYYY-MM-DD."""
    m = _DATELINE.match(text[:DATELINE_CHARS])
    if not m:
        return None
    month = m.group("m1") or m.group("m2")
    return _real(int(m.group("y1") or m.group("y2")), MONTHS[month.lower()], int(m.group("d1") or m.group("d2")))


def infer(a: Article) -> Article:
    """`a` with the outlet and the published date it lacks filled in where its URL or dateline
    gives them, each named in `inferred`; unchanged when it has both or nothing says."""
    source = "" if a.source else outlet_of(a.url)
    published = None if a.published else (date_in_url(a.url) or date_in_dateline(a.text))
    if not (source or published):
        return a
    filled = (("source",) if source else ()) + (("published",) if published else ())
    return replace(a, source=a.source or source, published=a.published or published, inferred=a.inferred + filled)


def _real(year: int, month: int, day: int) -> str | None:
    try:
        d = date(year, month, day)
    except ValueError:
        return None
    return d.isoformat() if date(1990, 1, 1) <= d <= date.today() else None
