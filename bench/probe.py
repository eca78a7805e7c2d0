"""Latency probe of a running supportdesk: one client, one kept-alive HTTP connection, sequential.

Usage: python bench/probe.py [--host 127.0.0.1] [--port 8000] [--email E --password P] [-n 300]
Signs in (the demo administrator by default) and prints p50/p95/p99 per page as a Markdown table.
The full benchmark suite (seeded data sets, the reference scenario, the peer) is issue 4's work.
"""

from __future__ import annotations

import argparse
import http.client
import re
import statistics
import time
import urllib.parse

PAGES = [
    ("profile page (a small page, for reference)", "/desk/profile/"),
    ("inbox: All open in my groups, first page", "/desk/views/open/"),
    ("inbox: All tickets by priority", "/desk/views/all/?sort=priority"),
    ("inbox: text search `mat khau`", "/desk/views/all/?q=mat+khau"),
    ("inbox: text search `密码`", "/desk/views/all/?q=%E5%AF%86%E7%A0%81"),
    ("API: GET /api/v1/tickets?limit=25 (session)", "/api/v1/tickets?limit=25"),
]


class Browser:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.connection = http.client.HTTPConnection(host, port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None):
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.connection.request(method, path, body=body, headers={"Cookie": cookie, **(headers or {})})
        response = self.connection.getresponse()
        data = response.read()
        for key, value in response.getheaders():
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";")[0]
        return response.status, data

    def sign_in(self, email: str, password: str) -> None:
        _, page = self.request("GET", "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": email, "password": password})
        status, _ = self.request(
            "POST",
            "/login/",
            form,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://{self.host}:{self.port}/login/",
            },
        )
        if status != 302:
            raise SystemExit(f"sign-in failed ({status}); is the demo desk running?")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--email", default="admin@demo.supportdesk.test")
    parser.add_argument("--password", default="demo-admin-2026")
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--ticket", type=int, help="also time this ticket's page")
    args = parser.parse_args()
    browser = Browser(args.host, args.port)
    browser.sign_in(args.email, args.password)
    pages = [
        *PAGES,
        *([(f"ticket page (#{args.ticket})", f"/desk/tickets/{args.ticket}/")] if args.ticket else []),
    ]
    print("| request | n | p50 ms | p95 ms | p99 ms |\n|---|---|---|---|---|")
    for name, path in pages:
        for _ in range(10):
            status, _ = browser.request("GET", path)
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
        times = []
        for _ in range(args.n):
            start = time.perf_counter()
            browser.request("GET", path)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        p95, p99 = times[int(args.n * 0.95) - 1], times[int(args.n * 0.99) - 1]
        print(f"| {name} | {args.n} | {statistics.median(times):.1f} | {p95:.1f} | {p99:.1f} |")


if __name__ == "__main__":
    main()
