"""GraphiQL on an intranet with no internet (issue 12): its page names no external host, and in a
browser every request it makes goes to our own server, and the editor actually comes up."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx


def test_graphiql_page_references_no_external_host(server):
    html = httpx.get(server.url + "/graphql", headers={"Accept": "text/html"}).text
    refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", html)
    assert refs, "the GraphiQL page loads its scripts from somewhere"
    assert all(urlsplit(r).netloc == "" for r in refs), refs
    assert "unpkg.com" not in html and "cdn" not in html.lower()
    for r in refs:  # and every one of them is really served
        assert httpx.get(server.url + r).status_code == 200, r


def test_graphiql_runs_from_our_own_assets(pages, server):
    page = pages.new()
    hosts = set()
    page.on("request", lambda r: hosts.add(urlsplit(r.url).netloc) if r.url.startswith("http") else None)
    page.goto(server.url + "/graphql")
    page.wait_for_selector(".graphiql-editor", timeout=20_000)
    assert hosts == {urlsplit(server.url).netloc}
    assert not page.errors
