"""How webhook deliveries reach the network, so that they reach only public addresses.

The rules are ``domain.webhooks.destination_allowed``; this module applies them where
it matters, at the connection, against DNS rebinding (a name that resolves to a public
address when checked and to 127.0.0.1 a moment later, when connected to):

* ``PinnedBackend`` is the network backend of the HTTP connection pool (httpcore's
  ``AsyncNetworkBackend``: the one place every connection is opened). Asked to connect
  to ``host:port`` it resolves ``host`` once, refuses the connection unless every
  address it got is public (``AddressNotAllowed``), and connects to the checked address
  itself, as an IP literal, so nothing resolves the name a second time. The request URL
  is never rewritten: the ``Host`` header, TLS SNI and certificate verification all
  still use the URL's name, and a pooled keep-alive connection is one that was opened
  to a checked address for that very origin.
* Redirects are never followed (httpcore does not follow them at all): a 3xx is a
  failed attempt with its status.
* Through an HTTP(S) proxy (``HTTP_PROXY``/``HTTPS_PROXY``/``ALL_PROXY``, minus
  ``NO_PROXY``, read with Python's ``urllib.request`` rules) the proxy resolves and
  connects, so the address cannot be pinned here: the target is still resolved and
  checked first (a name this host cannot resolve is left to the proxy), and the proxy
  itself should refuse internal destinations. The proxy's own address is the
  operator's choice and is not checked.
"""

from __future__ import annotations

import asyncio
import base64
import socket
import urllib.request
from typing import Iterable, Mapping

import httpcore
import httpx

from domain.webhooks.rules import Resolve, default_port, destination_allowed

DNS_TIMEOUT = 5.0  # seconds, for the registration check (a send has its own timeout)


class AddressNotAllowed(Exception):
    """The destination is, or resolves to, an address webhooks may not reach. Its text
    says nothing about which address that was."""

    def __init__(self) -> None:
        super().__init__("address not allowed")


async def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to now, in the resolver's order (the system's
    ``getaddrinfo``, which also reads numeric forms such as ``2130706433``). Raises
    ``socket.gaierror`` when it does not resolve."""
    infos = await asyncio.get_running_loop().getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def resolve_quietly(host: str, port: int) -> list[str]:
    """``resolve`` for the registration check: [] when the name does not resolve (now)
    or the resolver takes more than ``DNS_TIMEOUT``."""
    try:
        async with asyncio.timeout(DNS_TIMEOUT):
            return await resolve(host, port)
    except (OSError, UnicodeError, asyncio.TimeoutError):
        return []


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """Connects only to checked addresses, resolving each host once (see the module)."""

    def __init__(self, *, allow_private: bool = False, resolver: Resolve = resolve):
        self.allow_private = allow_private
        self.resolver = resolver
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await self.resolver(host, port)
        except (OSError, UnicodeError):
            raise httpcore.ConnectError("could not resolve the host name") from None
        if not addresses:
            raise httpcore.ConnectError("could not resolve the host name")
        if not self.allow_private and not destination_allowed(host, addresses):
            raise AddressNotAllowed()
        failure: Exception | None = None
        for address in addresses:  # each one checked above; the next one if it refuses
            try:
                return await self.inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except httpcore.ConnectError as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options=None):
        raise AddressNotAllowed()

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class Sender:
    """POSTs webhook bodies; one connection pool for direct sends (through
    ``PinnedBackend``) and one per proxy."""

    def __init__(
        self,
        *,
        timeout: float,
        user_agent: str,
        allow_private: bool = False,
        resolver: Resolve = resolve,
        proxies: Mapping[str, str] | None = None,
    ):
        self.timeout = timeout
        self.user_agent = user_agent
        self.allow_private = allow_private
        self.resolver = resolver
        # Read once, like httpx did; {} when the environment names no proxy.
        self.proxies = dict(urllib.request.getproxies_environment() if proxies is None else proxies)
        self.ssl_context = httpx.create_ssl_context()  # certifi, or SSL_CERT_FILE / SSL_CERT_DIR
        self.direct = httpcore.AsyncConnectionPool(
            ssl_context=self.ssl_context,
            max_connections=100, max_keepalive_connections=20,  # httpx's defaults
            network_backend=PinnedBackend(allow_private=allow_private, resolver=resolver),
        )
        self.via_proxy: dict[str, httpcore.AsyncHTTPProxy] = {}

    def _proxy_for(self, url: httpx.URL) -> str | None:
        if not self.proxies or urllib.request.proxy_bypass_environment(url.host, self.proxies):
            return None
        return self.proxies.get(url.scheme) or self.proxies.get("all")

    def _proxy_pool(self, proxy: str) -> httpcore.AsyncHTTPProxy:
        if proxy not in self.via_proxy:
            purl = httpx.URL(proxy if "://" in proxy else "http://" + proxy)
            if purl.scheme not in ("http", "https"):
                raise httpcore.UnsupportedProtocol(f"proxy scheme {purl.scheme!r} is not supported (http or https)")
            auth = None
            if purl.username or purl.password:
                auth = (purl.username.encode(), purl.password.encode())
            self.via_proxy[proxy] = httpcore.AsyncHTTPProxy(
                proxy_url=httpcore.URL(scheme=purl.raw_scheme, host=purl.raw_host, port=purl.port, target=b"/"),
                proxy_auth=auth,
                ssl_context=self.ssl_context,
            )
        return self.via_proxy[proxy]

    async def post(self, url_text: str, body: bytes, headers: Mapping[str, str]) -> tuple[int, str]:
        """POST ``body``; the status code and reason phrase. The answer's body is never
        read, so a receiver cannot fill memory. Raises ``AddressNotAllowed`` for a
        destination webhooks may not reach, httpcore's errors for the rest."""
        url = httpx.URL(url_text)  # parsed as httpx parses it (IDNA host names, default ports)
        target = httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path)
        sent = [(b"User-Agent", self.user_agent.encode())]
        sent += [(k.encode(), v.encode()) for k, v in headers.items()]
        if url.username or url.password:  # credentials in the URL: Basic auth, as httpx sends them
            token = base64.b64encode(f"{url.username}:{url.password}".encode()).decode()
            sent.append((b"Authorization", f"Basic {token}".encode()))
        proxy = self._proxy_for(url)
        if proxy is None:
            pool = self.direct  # PinnedBackend checks and pins at the connection
        else:
            await self._check_before_proxy(url)
            pool = self._proxy_pool(proxy)
        timeouts = {"connect": self.timeout, "read": self.timeout, "write": self.timeout, "pool": self.timeout}
        async with pool.stream("POST", target, headers=sent, content=body, extensions={"timeout": timeouts}) as response:
            reason = response.extensions.get("reason_phrase", b"")
            return response.status, reason.decode("ascii", "replace") if isinstance(reason, bytes) else str(reason)

    async def _check_before_proxy(self, url: httpx.URL) -> None:
        if self.allow_private:
            return
        try:
            addresses = await self.resolver(url.host, url.port or default_port(url.scheme))
        except (OSError, UnicodeError):
            addresses = []  # this host cannot resolve it; the proxy will
        if not destination_allowed(url.host, addresses):
            raise AddressNotAllowed()

    async def aclose(self) -> None:
        await self.direct.aclose()
        for pool in self.via_proxy.values():
            await pool.aclose()
