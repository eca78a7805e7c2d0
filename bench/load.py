"""The load client: one HTTP/1.1 keep-alive connection, sequential requests, a cookie jar.

It is deliberately small and built on the standard library (http.client): nothing between the
timer and the socket but reading the whole response, so what is measured is the server. One
client means one request in flight at a time, as the issue's targets are stated.
"""

from __future__ import annotations

import html
import http.client
import json
import re
import secrets
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bench.stats import Summary

# Errors that mean the kept-alive connection is gone (the server closed an idle one, or a worker
# was restarted): reconnect and go on, counting the request as an error if it was timed.
CONNECTION_ERRORS = (http.client.HTTPException, ConnectionError, TimeoutError, OSError)


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Request:
    """What one iteration of a scenario sends, and the status that counts as success."""

    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    expect: tuple[int, ...] = (200,)


class Client:
    """A browser-like client: cookies kept per host, CSRF token at hand, one connection."""

    def __init__(self, host: str, port: int, *, timeout: float = 60.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.cookies: dict[str, str] = {}
        self._connection: http.client.HTTPConnection | None = None

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    def reconnect(self) -> None:
        self.close()
        self._connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def send(self, request: Request) -> Response:
        if self._connection is None:
            self.reconnect()
        assert self._connection is not None
        headers = {"Host": f"{self.host}:{self.port}", **request.headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self._connection.request(request.method, request.path, body=request.body, headers=headers)
            raw = self._connection.getresponse()
            body = raw.read()
        except CONNECTION_ERRORS:
            self.close()
            raise
        response_headers: dict[str, str] = {}
        for key, value in raw.getheaders():
            if key.lower() == "set-cookie":
                self._keep_cookie(value)
            response_headers[key.lower()] = value
        if raw.will_close:
            self.close()
        return Response(raw.status, body, response_headers)

    def get(self, path: str, headers: Mapping[str, str] | None = None) -> Response:
        return self.send(Request("GET", path, headers=dict(headers or {})))

    def _keep_cookie(self, header: str) -> None:
        name, _sep, rest = header.partition("=")
        value = rest.split(";", 1)[0]
        # An expired cookie (a deletion) leaves the jar.
        if "max-age=0" in header.lower() or value in ("", '""'):
            self.cookies.pop(name.strip(), None)
        else:
            self.cookies[name.strip()] = value

    # -- what a browser or a script does before measuring ---------------------------------------
    def csrf_token(self) -> str:
        return self.cookies.get("csrftoken", "")

    def sign_in(self, email: str, password: str) -> None:
        """Sign in through the sign-in form, as a person does: the session cookie and the CSRF
        cookie are then in the jar."""
        page = self.get("/login/")
        token = form_token(page.text)
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": email, "password": password})
        response = self.send(
            Request(
                "POST",
                "/login/",
                form.encode(),
                {"Content-Type": "application/x-www-form-urlencoded", "Referer": f"{self.origin}/login/"},
            )
        )
        if response.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"sign-in as {email} failed (HTTP {response.status})")

    def create_api_token(self, name: str, expires_at: str) -> str:
        """A personal API token made through the API with the session, as docs/api.md says."""
        body = json.dumps({"name": name, "expires_at": expires_at}).encode()
        response = self.send(
            Request(
                "POST",
                "/api/v1/me/tokens",
                body,
                {
                    "Content-Type": "application/json",
                    "X-CSRFToken": self.csrf_token(),
                    "Referer": f"{self.origin}/desk/",
                },
                expect=(201,),
            )
        )
        if response.status not in (200, 201):
            raise RuntimeError(
                f"creating an API token failed (HTTP {response.status}): {response.text[:300]}"
            )
        return str(response.json()["token"])


_FORM_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_NEXT_LINK = re.compile(r'<a [^>]*rel="next" href="([^"]+)"')


def form_token(page: str) -> str:
    match = _FORM_TOKEN.search(page)
    if match is None:
        raise RuntimeError("no CSRF token in the page")
    return match.group(1)


def next_link(page: str) -> str | None:
    """The inbox's own "Next page" link (rel="next"), unescaped, or None on the last page."""
    match = _NEXT_LINK.search(page)
    return html.unescape(match.group(1)) if match else None


def absolute_path(current: str, link: str) -> str:
    """A link as the browser resolves it against the page it is on ("?cursor=…" keeps the path)."""
    return urllib.parse.urljoin(f"http://x{current}", link).removeprefix("http://x")


def multipart(fields: Mapping[str, str]) -> tuple[bytes, str]:
    """A multipart/form-data body (what a form with enctype="multipart/form-data" sends)."""
    boundary = "----supportdesk-bench-" + secrets.token_hex(8)
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def measure(
    client: Client,
    name: str,
    make_request: Callable[[int], Request],
    *,
    requests: int,
    seconds: float,
    warmup: int,
    after: Callable[[Response], None] | None = None,
) -> Summary:
    """Send up to `warmup` untimed requests (at least one, else for a quarter of `seconds`), then
    time up to `requests` more, stopping once `seconds` have passed. Each iteration's request
    comes from make_request(i); warm-up requests get negative i."""
    client.reconnect()
    first_error = ""
    # Warming up is bounded in time too: on a page that takes seconds, one request warms enough.
    warm_until = time.perf_counter() + seconds / 4
    for i in range(warmup):
        if i and time.perf_counter() > warm_until:
            break
        try:
            client.send(make_request(-1 - i))
        except CONNECTION_ERRORS:
            continue
    latencies: list[float] = []
    errors = 0
    started = time.perf_counter()
    for i in range(requests):
        if time.perf_counter() - started > seconds:
            break
        request = make_request(i)
        begin = time.perf_counter()
        try:
            response = client.send(request)
        except CONNECTION_ERRORS as error:
            errors += 1
            first_error = first_error or f"{type(error).__name__}: {error}"
            continue
        elapsed = (time.perf_counter() - begin) * 1000
        if response.status in request.expect:
            latencies.append(elapsed)
        else:
            errors += 1
            first_error = first_error or f"HTTP {response.status}: {response.text[:200]}"
        if after is not None:
            after(response)
    return Summary(name, latencies, errors, time.perf_counter() - started, first_error=first_error)
