"""The one way newsrag fetches a URL (article pages, feeds, feed entries, every redirect hop).

    policy = FetchPolicy.from_settings(settings)
    with Fetcher(policy) as f:
        page = f.get("https://example.org/news/1")   # Page(url, content_type, text)

The policy, applied to every hop:
- only http(s); at most `max_redirects` redirects, each followed by us (not the HTTP client), so
  every hop is checked;
- the host name is resolved once and the request goes to the address that was checked (so a
  name can't resolve to a public address for the check and a private one for the connection);
  addresses that aren't publicly routable (loopback, private 10/8, 172.16/12, 192.168/16,
  fc00::/7, link-local 169.254/16 and fe80::/10 where cloud metadata services live, CGNAT,
  multicast, reserved) are refused unless the operator allows them (`allow_private`, or listed
  in `allow` as a host, host:port or network);
- one overall deadline per URL (`timeout` seconds for all hops and the whole body), so a server
  that trickles bytes can't hold an ingest (and the index's write lock) for ever;
- a cap on the bytes read (after decompression).
Every refusal or failure is a FetchError with a one-line reason; nothing here raises anything else.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit, urlunsplit

if TYPE_CHECKING:
    from ..config import Settings

USER_AGENT = "newsrag/0.1 (news question answering; +https://pypi.org/project/newsrag/)"
DEFAULT_TIMEOUT = 20.0  # seconds for one URL, redirects and body included
DEFAULT_MAX_BYTES = 10 * 1024 * 1024  # per response, decompressed
DEFAULT_MAX_REDIRECTS = 5
DEFAULT_FEED_ENTRIES = 100  # entries taken from one feed (the first ones: feeds list the newest first)
ALLOW_HINT = "set RAG_FETCH_ALLOW_PRIVATE=1 (or --allow-private) to allow private addresses"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class FetchError(Exception):
    """A URL could not be fetched, or was refused; the message is the one-line reason."""


@dataclass(frozen=True)
class FetchPolicy:
    """What may be fetched, and how long and how much (see the module docstring)."""

    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    allow_private: bool = False
    allow: tuple[str, ...] = ()  # hosts, host:port or networks allowed even when not public
    max_feed_entries: int = DEFAULT_FEED_ENTRIES

    @classmethod
    def from_settings(cls, settings: "Settings") -> "FetchPolicy":
        allow = tuple(a.strip() for a in settings.fetch_allow.split(",") if a.strip())
        return cls(timeout=settings.fetch_timeout, allow_private=settings.fetch_allow_private, allow=allow,
                   max_feed_entries=settings.feed_max_entries)

    def refusal(self, host: str, port: int, address: Address) -> str:
        """Why connecting to `address` (for `host`:`port`) is refused; '' when it is allowed."""
        address = getattr(address, "ipv4_mapped", None) or address  # ::ffff:127.0.0.1 is 127.0.0.1
        if address.is_global and not address.is_multicast:
            return ""
        if self.allow_private or self._listed(host, port, address):
            return ""
        return f"refused: {host} is {_kind(address)} ({address}); {ALLOW_HINT}"

    def _listed(self, host: str, port: int, address: Address) -> bool:
        for entry in self.allow:
            network = _network(entry)
            if network is not None:
                if address.version == network.version and address in network:
                    return True
                continue
            name, _, entry_port = entry.rpartition(":") if _has_port(entry) else (entry, "", "")
            if name.strip("[]").lower() in (host.lower(), str(address)) and (not entry_port or int(entry_port) == port):
                return True
        return False


def _has_port(entry: str) -> bool:
    head, sep, tail = entry.rpartition(":")
    return bool(sep) and tail.isdigit() and (head.endswith("]") or ":" not in head)


def _network(entry: str) -> Network | None:
    try:
        return ipaddress.ip_network(entry.strip("[]"), strict=False)
    except ValueError:
        return None


def _kind(address: Address) -> str:
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address (where cloud metadata services answer)"
    if address.is_multicast:
        return "a multicast address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_private:
        return "a private address"
    return "not a public address"


def resolve(host: str, port: int) -> list[Address]:
    """Every address `host` resolves to (a literal address is itself)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise FetchError(f"cannot resolve {host}: {getattr(exc, 'strerror', None) or exc}") from None
    out: list[Address] = []
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(sockaddr[0].split("%")[0])
        if address not in out:
            out.append(address)
    return out


@dataclass(frozen=True)
class Page:
    """What a fetch returns: the final URL (after redirects), its content type and text."""

    url: str
    content_type: str
    text: str


class Fetcher:
    """Fetches URLs under one policy, reusing connections. A context manager (closes its client)."""

    def __init__(self, policy: FetchPolicy | None = None) -> None:
        import httpx

        self.policy = policy or FetchPolicy()
        # trust_env=False: a proxy from the environment would make the checked address meaningless
        self._client = httpx.Client(follow_redirects=False, trust_env=False, headers={"User-Agent": USER_AGENT})

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(self, url: str) -> Page:
        """The page at `url`, following redirects under the policy; FetchError with the reason otherwise."""
        deadline = time.monotonic() + self.policy.timeout
        for _ in range(self.policy.max_redirects + 1):
            status, location, page = self._hop(url, deadline)
            if location is None:
                if status >= 400:
                    raise FetchError(page.text)
                return page
            url = location
        raise FetchError(f"more than {self.policy.max_redirects} redirects")

    def _hop(self, url: str, deadline: float) -> tuple[int, str | None, Page]:
        """One request: (status, redirect target or None, page)."""
        import httpx

        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"not an http(s) URL: {url[:200]}")
        try:
            port = parts.port or (443 if scheme == "https" else 80)
        except ValueError:
            raise FetchError(f"bad port in {url[:200]}") from None
        host = parts.hostname
        addresses = resolve(host, port)
        for address in addresses:  # any non-public address among them: refuse the host
            why = self.policy.refusal(host, port, address)
            if why:
                raise FetchError(why)
        address = addresses[0]
        netloc = f"[{address}]" if address.version == 6 else str(address)
        target = urlunsplit((scheme, f"{netloc}:{port}", parts.path or "/", parts.query, ""))
        default_port = port == (443 if scheme == "https" else 80)
        headers = {"Host": host if default_port else f"{host}:{port}"}
        extensions = {"sni_hostname": host} if scheme == "https" else {}
        try:
            with self._client.stream("GET", target, headers=headers, extensions=extensions,
                                     timeout=self._remaining(deadline)) as resp:
                if resp.is_redirect and resp.headers.get("location"):
                    return resp.status_code, urljoin(url, resp.headers["location"]), Page(url, "", "")
                if resp.status_code >= 400:
                    return resp.status_code, None, Page(url, "", f"HTTP {resp.status_code} {resp.reason_phrase}".strip())
                return resp.status_code, None, self._body(resp, url, deadline)
        except httpx.TimeoutException:
            raise FetchError(self._late()) from None
        except httpx.HTTPError as exc:
            raise FetchError(f"{type(exc).__name__}: {exc}") from None

    def _body(self, resp: Any, url: str, deadline: float) -> Page:
        declared = int(resp.headers.get("content-length") or 0) if (resp.headers.get("content-length") or "").isdigit() else 0
        limit = self.policy.max_bytes
        if declared > limit:
            raise FetchError(f"too large ({declared} bytes; the limit is {limit})")
        body = bytearray()
        for part in resp.iter_bytes():  # decompressed: the cap holds against compression bombs
            body += part
            if len(body) > limit:
                raise FetchError(f"too large (over {limit} bytes)")
            if time.monotonic() > deadline:
                raise FetchError(self._late())
        ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
        return Page(url, ctype, bytes(body).decode(resp.encoding or "utf-8", errors="replace"))

    def _remaining(self, deadline: float) -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise FetchError(self._late())
        return left

    def _late(self) -> str:
        return f"no complete answer within {self.policy.timeout:g} s (RAG_FETCH_TIMEOUT)"
