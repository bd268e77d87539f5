"""Posting statements to a Learning Record Store over HTTP (urllib3), with retries.

Imported only by `lrs send`. A 5xx answer, a timeout or a refused connection is retried
with growing pauses, while the batch's time lasts; anything else is final and becomes one
line that names the problem (never the password, which travels only in the Authorization
header). An answer counts only if it names the statements sent: a server that says 200 to
anything is not an LRS, and nothing is marked as sent on its word.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import urllib3
from urllib3.exceptions import (
    HTTPError,
    LocationValueError,
    MaxRetryError,
    NewConnectionError,
    SSLError,
)
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from microup.core.errors import MicroupError, UsageError
from microup.core.formats.xapi import XAPI_VERSION
from microup.core.text import plural

PAUSES = (0.5, 1.0, 2.0, 4.0)
"""Seconds to wait before each retry: five tries in all, about 8 s of waiting at most."""
READ_TIMEOUT = 30.0
"""Seconds one request waits for the LRS's answer ($MICROUP_LRS_TIMEOUT in `lrs send`)."""
CONNECT_TIMEOUT = 5.0


class LRSError(MicroupError):
    """The LRS refused the statements or could not be reached: nothing was marked as sent."""


@dataclass(frozen=True)
class Credentials:
    """Basic auth for the LRS; `repr` never shows the password."""

    username: str
    password: str

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, password=...)"


class _Retry(Exception):
    """A failure worth trying again (5xx, timeout, connection refused); `slow` when the
    try used up the whole timeout (a server that accepts and never answers)."""

    def __init__(self, reason: str, *, slow: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.slow = reason, slow


def _shown(url: str) -> str:
    """The endpoint as shown in messages: any user:password@ dropped."""
    scheme, sep, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    return f"{scheme}{sep}{host.rpartition('@')[2]}{slash}{path}"


def _detail(data: bytes, secrets: Sequence[str] = ()) -> str:
    """What an LRS said about a refused batch, as one short line, with any of `secrets` (the
    password and the Authorization header's forms of it, which an LRS may echo) masked."""
    try:
        answer = json.loads(data)
    except ValueError:
        answer = data.decode("utf-8", "replace")
    if isinstance(answer, dict):  # Ralph says "detail", Learning Locker "message", others "error"
        said = [answer[key] for key in ("detail", "message", "error") if key in answer]
        answer = said[0] if said else answer
    text = json.dumps(answer) if not isinstance(answer, str) else answer
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    return " ".join(text.split())[:300]


def _nothing(_: str) -> None:
    pass


class Client:
    """One LRS endpoint: POSTs lists of statements to `statements`.

    Each request waits `timeout` seconds for an answer; a batch is tried again (at most
    five tries) only while less than twice that has passed since its first try, so a
    server that never answers costs about two timeouts, and `notify` says so meanwhile."""

    def __init__(
        self,
        endpoint: str,
        credentials: Credentials | None,
        *,
        pauses: Sequence[float] = PAUSES,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = READ_TIMEOUT,
        notify: Callable[[str], None] = _nothing,
    ) -> None:
        self.endpoint = endpoint if endpoint.endswith("/") else endpoint + "/"
        self.shown = _shown(self.endpoint)
        self.pauses, self.sleep = tuple(pauses), sleep
        self.timeout, self.notify = timeout, notify
        headers = {
            "Content-Type": "application/json",
            "X-Experience-API-Version": XAPI_VERSION,
        }
        self.secrets: tuple[str, ...] = ()
        if credentials is not None:
            auth = f"{credentials.username}:{credentials.password}"
            headers.update(urllib3.make_headers(basic_auth=auth))
            encoded = base64.b64encode(auth.encode()).decode()
            found = (credentials.password, auth, encoded, encoded.rstrip("="))
            self.secrets = tuple(secret for secret in found if secret)
        timeout_of = urllib3.Timeout(connect=min(CONNECT_TIMEOUT, timeout), read=timeout)
        self.pool = urllib3.PoolManager(headers=headers, timeout=timeout_of, retries=False)

    def post(self, statements: Sequence[dict[str, Any]]) -> None:
        """Store `statements` (a batch), retrying what may pass later; LRSError if not."""
        data = json.dumps(list(statements), ensure_ascii=False).encode()
        ids = {str(statement.get("id")) for statement in statements}
        started, tries = time.monotonic(), len(self.pauses) + 1
        for tried, pause in enumerate((*self.pauses, None), start=1):
            try:
                self._post_once(data, ids)
                return
            except _Retry as failure:
                if pause is None or time.monotonic() - started + pause > 2 * self.timeout:
                    raise LRSError(
                        f"the LRS at {self.shown} {failure.reason} "
                        f"({plural(tried, 'try', 'tries')}); nothing was marked as sent"
                    ) from None
                if failure.slow:
                    self.notify(
                        f"the LRS at {self.shown} has not answered in {self.timeout:g} s; "
                        f"trying again (try {tried + 1} of at most {tries}, for "
                        f"{2 * self.timeout:g} s at most)"
                    )
                self.sleep(pause)

    def _post_once(self, data: bytes, ids: set[str]) -> None:
        try:
            response = self.pool.request("POST", self.endpoint + "statements", body=data)
        except (MaxRetryError, SSLError, NewConnectionError, Urllib3Timeout, HTTPError) as error:
            raise self._connection_failure(error) from None
        kind = response.headers.get("Content-Type", "")
        self._check(response.status, response.data, kind, ids)

    def _connection_failure(self, error: Exception) -> Exception:
        if isinstance(error, LocationValueError):  # checked before, but urllib3 has its say
            return UsageError(f"lrs-endpoint is not a valid URL: {self.shown}")
        reason = getattr(error, "reason", None) or error
        if isinstance(reason, SSLError) or "SSL" in type(reason).__name__:
            return LRSError(
                f"the TLS connection to {self.shown} failed (certificate or protocol); "
                "nothing was marked as sent"
            )
        if isinstance(reason, NewConnectionError):  # a subclass of the timeout in urllib3 2
            return _Retry("cannot be reached (is it running, and is the address right?)")
        if isinstance(reason, Urllib3Timeout):
            return _Retry(f"did not answer within {self.timeout:g} s", slow=True)
        return _Retry(f"cannot be reached ({type(reason).__name__})")

    def _check(self, status: int, data: bytes, content_type: str, ids: set[str]) -> None:
        if status >= 500:
            raise _Retry(f"failed (HTTP {status}: {_detail(data, self.secrets)})")
        if status in (401, 403):
            raise LRSError(
                f"the LRS at {self.shown} refused the credentials (HTTP {status}); set "
                "lrs-username and lrs-password, or $MICROUP_LRS_USERNAME and "
                "$MICROUP_LRS_PASSWORD; nothing was marked as sent"
            )
        if status in (400, 422):
            raise LRSError(
                f"the LRS at {self.shown} refused a statement (HTTP {status}: "
                f"{_detail(data, self.secrets)}); nothing was marked as sent"
            )
        if status == 409:
            raise LRSError(
                f"the LRS at {self.shown} holds a different statement with the same id "
                f"(HTTP 409: {_detail(data, self.secrets)}); nothing was marked as sent"
            )
        if status not in (200, 204) or not _is_lrs_answer(status, data, content_type, ids):
            raise LRSError(
                f"{self.shown} does not answer as an xAPI LRS (HTTP {status} to POST "
                "statements); check lrs-endpoint; nothing was marked as sent"
            )


def _is_lrs_answer(status: int, data: bytes, content_type: str, ids: set[str]) -> bool:
    """An LRS answers a stored batch with 200 and the JSON list of the ids it stored
    (xAPI 1.0.3; Ralph names only those it did not hold yet), and with 204 if it held them
    all: a web page, or an empty or foreign list, is not such an answer."""
    if status == 204:
        return not data.strip()
    if "json" not in content_type.lower():
        return False
    try:
        answer = json.loads(data)
    except ValueError:
        return False
    if not isinstance(answer, list) or not answer:
        return False
    named = [item for item in answer if isinstance(item, str)]
    return len(named) == len(answer) == len(set(named)) and set(named) <= ids
