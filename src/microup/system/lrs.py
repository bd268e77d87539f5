"""Posting statements to a Learning Record Store over HTTP (urllib3), with retries.

Imported only by `lrs send`. A 5xx answer, a timeout or a refused connection is retried
with growing pauses; anything else is final and becomes one line that names the problem
(never the password, which travels only in the Authorization header).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import urllib3
from urllib3.exceptions import HTTPError, MaxRetryError, NewConnectionError, SSLError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from microup.core.errors import MicroupError
from microup.core.formats.xapi import XAPI_VERSION

PAUSES = (0.5, 1.0, 2.0, 4.0)
"""Seconds to wait before each retry: five tries in all, about 8 s of waiting at most."""
TIMEOUT = urllib3.Timeout(connect=5.0, read=60.0)


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
    """A failure worth trying again (5xx, timeout, connection refused)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _shown(url: str) -> str:
    """The endpoint as shown in messages: any user:password@ dropped."""
    scheme, sep, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    return f"{scheme}{sep}{host.rpartition('@')[2]}{slash}{path}"


def _detail(data: bytes) -> str:
    """What an LRS said about a refused batch, as one short line."""
    try:
        answer = json.loads(data)
    except ValueError:
        answer = data.decode("utf-8", "replace")
    if isinstance(answer, dict):  # Ralph says "detail", Learning Locker "message", others "error"
        said = [answer[key] for key in ("detail", "message", "error") if key in answer]
        answer = said[0] if said else answer
    text = " ".join(json.dumps(answer)[:300].split()) if not isinstance(answer, str) else answer
    return " ".join(text.split())[:300]


class Client:
    """One LRS endpoint: POSTs lists of statements to `statements`."""

    def __init__(
        self,
        endpoint: str,
        credentials: Credentials | None,
        *,
        pauses: Sequence[float] = PAUSES,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.endpoint = endpoint if endpoint.endswith("/") else endpoint + "/"
        self.shown = _shown(self.endpoint)
        self.pauses, self.sleep = tuple(pauses), sleep
        headers = {
            "Content-Type": "application/json",
            "X-Experience-API-Version": XAPI_VERSION,
        }
        if credentials is not None:
            auth = f"{credentials.username}:{credentials.password}"
            headers.update(urllib3.make_headers(basic_auth=auth))
        self.pool = urllib3.PoolManager(headers=headers, timeout=TIMEOUT, retries=False)

    def post(self, statements: Sequence[dict[str, Any]]) -> None:
        """Store `statements` (a batch), retrying what may pass later; LRSError if not."""
        data = json.dumps(list(statements), ensure_ascii=False).encode()
        for pause in (*self.pauses, None):
            try:
                self._post_once(data)
                return
            except _Retry as failure:
                if pause is None:
                    raise LRSError(
                        f"the LRS at {self.shown} {failure.reason}; nothing was marked as sent"
                    ) from None
                self.sleep(pause)

    def _post_once(self, data: bytes) -> None:
        try:
            response = self.pool.request("POST", self.endpoint + "statements", body=data)
        except (MaxRetryError, SSLError, NewConnectionError, Urllib3Timeout, HTTPError) as error:
            raise self._connection_failure(error) from None
        self._check(response.status, response.data, response.headers.get("Content-Type", ""))

    def _connection_failure(self, error: Exception) -> Exception:
        reason = getattr(error, "reason", None) or error
        if isinstance(reason, SSLError) or "SSL" in type(reason).__name__:
            return LRSError(
                f"the TLS connection to {self.shown} failed (certificate or protocol); "
                "nothing was marked as sent"
            )
        if isinstance(reason, NewConnectionError):  # a subclass of the timeout in urllib3 2
            return _Retry("cannot be reached (is it running, and is the address right?)")
        if isinstance(reason, Urllib3Timeout):
            return _Retry("did not answer in time")
        return _Retry(f"cannot be reached ({type(reason).__name__})")

    def _check(self, status: int, data: bytes, content_type: str) -> None:
        if status >= 500:
            raise _Retry(f"failed (HTTP {status}: {_detail(data)})")
        if status in (401, 403):
            raise LRSError(
                f"the LRS at {self.shown} refused the credentials (HTTP {status}); set "
                "lrs-username and lrs-password, or $MICROUP_LRS_USERNAME and "
                "$MICROUP_LRS_PASSWORD; nothing was marked as sent"
            )
        if status in (400, 422):
            raise LRSError(
                f"the LRS at {self.shown} refused a statement (HTTP {status}: "
                f"{_detail(data)}); nothing was marked as sent"
            )
        if status == 409:
            raise LRSError(
                f"the LRS at {self.shown} holds a different statement with the same id "
                f"(HTTP 409: {_detail(data)}); nothing was marked as sent"
            )
        if status not in (200, 204) or not self._is_lrs_answer(status, data, content_type):
            raise LRSError(
                f"{self.shown} does not answer as an xAPI LRS (HTTP {status} to POST "
                "statements); check lrs-endpoint; nothing was marked as sent"
            )

    @staticmethod
    def _is_lrs_answer(status: int, data: bytes, content_type: str) -> bool:
        """An LRS answers a stored batch with 200 and a JSON list of ids (204 if nothing
        was new): a web page that says 200 to anything is not one."""
        if status == 204:
            return not data.strip()
        if "json" not in content_type.lower():
            return False
        try:
            answer = json.loads(data)
        except ValueError:
            return False
        return isinstance(answer, list) and all(isinstance(item, str) for item in answer)
