"""What a widget's refresh gets to work with."""

from __future__ import annotations

import httpx

from luna import __version__
from luna.checks.checker import Checker
from luna.clock import Clock

USER_AGENT = f"luna/{__version__} (self-hosted dashboard)"


class RefreshContext:
    """Resources refreshes share, so connections are reused and closed in one place.

    `checker` runs monitor checks; tests pass one with a fake resolver or a
    TLS context that trusts their own CA.
    """

    def __init__(self, clock: Clock, checker: Checker | None = None) -> None:
        self.clock = clock
        self.http = _new_client(verify=True)
        self.checker = checker or Checker(USER_AGENT)
        self._insecure_http: httpx.AsyncClient | None = None

    def http_client(self, verify: bool = True) -> httpx.AsyncClient:
        """Return the shared client, or for `allow-insecure` requests one that skips certificate checks."""

        if verify:
            return self.http
        if self._insecure_http is None:
            self._insecure_http = _new_client(verify=False)
        return self._insecure_http

    async def aclose(self) -> None:
        await self.http.aclose()
        if self._insecure_http is not None:
            await self._insecure_http.aclose()
        await self.checker.aclose()


def _new_client(verify: bool) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        headers={"User-Agent": USER_AGENT},
        timeout=httpx.Timeout(10.0),
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        verify=verify,
    )
