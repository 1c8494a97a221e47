"""One HTTP GET of a source, done carefully: a conditional request (If-None-Match,
If-Modified-Since) from the copy held, timeouts, retries with exponential backoff on
errors worth retrying (connection, timeout, 429, 5xx; never 4xx), the body checked against
Content-Length, and a progress bar (rich, on stderr) for large downloads."""

from __future__ import annotations

import email.utils
import sys
import time

import requests

from gaptrack.base import Frozen

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
PROGRESS_FROM = 4 * 1024 * 1024
"""Downloads announced at this size or more get a progress bar."""
CHUNK = 256 * 1024


class FetchOptions(Frozen):
    timeout_s: float = 30.0
    """Connect and read timeout (between bytes, not for the whole body)."""
    retries: int = 3
    """Tries after the first, for errors worth retrying."""
    backoff_s: float = 1.0
    """Wait before retry k: backoff_s * 2**k."""
    progress: bool = True


class Response(Frozen):
    status: int
    """200, or 304 (not modified: nothing to fetch)."""
    data: bytes = b""
    etag: str | None = None
    last_modified: str | None = None


class FetchError(Exception):
    """The problem in one line (`HTTP 404`, `timed out after 3 tries`)."""


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def get(
    url: str,
    options: FetchOptions,
    headers: dict[str, str] | None = None,
    label: str = "",
    session: requests.Session | None = None,
) -> Response:
    session = session or requests.Session()
    problem = ""
    for attempt in range(options.retries + 1):
        if attempt:
            time.sleep(options.backoff_s * 2 ** (attempt - 1))
        try:
            return _once(session, url, options, headers or {}, label)
        except _Retry as exc:
            problem = str(exc)
    tries = options.retries + 1
    raise FetchError(f"{problem} ({tries} {'try' if tries == 1 else 'tries'})")


class _Retry(Exception):
    pass


def _once(
    session: requests.Session, url: str, options: FetchOptions, headers: dict[str, str], label: str
) -> Response:
    try:
        with session.get(
            url,
            # identity: the bytes kept are the file, and Content-Length counts them
            headers={"User-Agent": "gaptrack-update", "Accept-Encoding": "identity", **headers},
            timeout=(options.timeout_s, options.timeout_s),
            stream=True,
            allow_redirects=True,
        ) as resp:
            if resp.status_code == 304:
                return Response(status=304)
            if resp.status_code in RETRY_STATUS:
                raise _Retry(f"HTTP {resp.status_code}")
            if resp.status_code != 200:
                raise FetchError(f"HTTP {resp.status_code} from {url}")
            announced = resp.headers.get("Content-Length")
            data = _read(resp, int(announced) if announced else None, options, label)
            if announced is not None and len(data) != int(announced):
                raise FetchError(
                    f"truncated download: {len(data)} bytes of the {announced} announced"
                )
            return Response(
                status=200,
                data=data,
                etag=resp.headers.get("ETag"),
                last_modified=resp.headers.get("Last-Modified"),
            )
    except requests.exceptions.Timeout:
        raise _Retry(f"timed out after {options.timeout_s:g} s") from None
    except requests.exceptions.ChunkedEncodingError as exc:
        raise FetchError(f"truncated download ({_reason(exc)})") from None
    except requests.exceptions.ConnectionError as exc:
        if "timed out" in str(exc).lower():
            raise _Retry(f"timed out after {options.timeout_s:g} s") from None
        raise _Retry(f"cannot connect ({_reason(exc)})") from None
    except requests.exceptions.RequestException as exc:
        raise FetchError(f"{type(exc).__name__}: {_reason(exc)}") from None


def _reason(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text[:160]


def _read(resp: requests.Response, size: int | None, options: FetchOptions, label: str) -> bytes:
    chunks = resp.iter_content(CHUNK)
    if not (options.progress and size and size >= PROGRESS_FROM and sys.stderr.isatty()):
        return b"".join(chunks)
    from rich.console import Console
    from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

    with Progress(
        *Progress.get_default_columns(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label or resp.url, total=size)
        parts = []
        for chunk in chunks:
            parts.append(chunk)
            bar.advance(task, len(chunk))
        return b"".join(parts)


def http_date_day(text: str | None) -> str | None:
    """`Wed, 03 Dec 2025 10:00:00 GMT` -> `2025-12-03` (None if absent or unreadable)."""
    if not text:
        return None
    try:
        return email.utils.parsedate_to_datetime(text).date().isoformat()
    except (TypeError, ValueError):
        return None
