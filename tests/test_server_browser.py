"""A real headless chromium opens the UI: runs a saved query and sees its rows, renders the network.

Needs Debian's chromium (scripts/setup.d/20-browser.sh installs it) and the playwright Python
package (never `playwright install`: it drives /usr/bin/chromium). The page must make no request
outside the server: every other URL is aborted and counted.
"""
from __future__ import annotations

import shutil

import pytest

from .test_server_support import server  # noqa: F401

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/setup.d/20-browser.sh)")


@pytest.fixture()
def page(server):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"])
        page = browser.new_page()
        outside, errors = [], []
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server.url)
                   else (outside.append(route.request.url), route.abort()))
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.outside, page.errors = outside, errors
        yield page
        browser.close()


def test_ui_runs_a_saved_query_and_renders_the_network(server, page):
    page.goto(server.url + "/", wait_until="networkidle")
    # The saved queries are tabs; open "Who backs whom" and run it.
    page.get_by_text("Who backs whom", exact=True).first.click()
    page.locator(".tabPanel.active .yasqe_queryButton").click()
    rows = page.locator(".tabPanel.active .yasr table tbody tr")
    rows.first.wait_for(timeout=15000)
    text = page.locator(".tabPanel.active .yasr").inner_text()
    assert rows.count() >= 5 and "Russia" in text and "Government of Venezuela" in text

    # The network view: nodes and edges drawn by cytoscape, backs and opposes styled apart.
    page.wait_for_function("document.getElementById('network').dataset.edges !== '0'", timeout=15000)
    edges = page.evaluate("window.geokg.cy.edges().length")
    relations = set(page.evaluate("window.geokg.cy.edges().map(e => e.data('relation'))"))
    assert edges >= 5 and relations == {"backs", "opposes"}
    styles = page.evaluate("window.geokg.cy.edges().map(e => [e.data('relation'), e.style('line-color')])")
    assert {c for r, c in styles if r == "backs"}.isdisjoint({c for r, c in styles if r == "opposes"})
    assert page.locator("#network canvas").count() > 0

    # Clicking an edge shows the sentences behind it.
    page.evaluate("window.geokg.cy.getElementById('https://w3id.org/geokg/derived/backs/russia/venezuela')"
                  ".emit('tap')")
    page.locator("#evidence li").first.wait_for(timeout=10000)
    assert "biggest allies" in page.locator("#evidence").inner_text()

    # The timeline lists the dated events, and the undated ones by when they had been reported.
    timeline = page.locator("#timeline").inner_text()
    assert "2019-03-23" in timeline
    assert "by 2019-03-31 US ban on crude oil imports from Venezuela" in " ".join(timeline.split())
    assert page.outside == [] and page.errors == []


def test_entity_page_in_the_browser(server, page):
    page.goto(server.url + "/id/russia")
    assert page.locator("#label").inner_text() == "Russia"
    page.locator("#out a[href=\"/id/venezuela\"]").first.click()
    page.wait_for_url("**/id/venezuela")
    assert page.locator("#label").inner_text() == "Venezuela"


HOSTILE = ["javascript:alert(document.domain)", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "JaVaScRiPt:alert(2)"]


def test_ui_links_never_run_graph_content(built_store, tmp_path):
    """Graph content is not trusted (issue 12): events whose IRIs are javascript: or data: URLs,
    loaded into the store, are listed by the timeline but are never links that run."""
    from playwright.sync_api import sync_playwright
    import pyoxigraph as ox
    from kgbuild.store import open_store
    from .test_server_support import Running, copy_store
    store_path = copy_store(built_store, tmp_path / "store")
    store = open_store(store_path)
    gk = "https://w3id.org/geokg/ontology#"
    doc = next(iter(store.quads_for_pattern(None, ox.NamedNode(gk + "reportedIn"), None, None))).object
    for n, iri in enumerate(HOSTILE):
        event = ox.NamedNode(iri)
        store.add(ox.Quad(event, ox.NamedNode(gk + "reportedIn"), doc))
        store.add(ox.Quad(event, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                          ox.Literal(f"hostile event {n} <img src=x onerror=alert(3)>")))
    store.flush()
    del store
    running = Running(store_path, log=tmp_path / "log")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=[
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"])
            page = browser.new_page()
            dialogs = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(running.url + "/", wait_until="networkidle")
            page.locator("#timeline li", has_text="hostile event 0").wait_for(timeout=15000)
            hrefs = page.evaluate("[...document.querySelectorAll('a')].map(a => a.getAttribute('href'))")
            assert not [h for h in hrefs if h and h.strip().lower().startswith(("javascript:", "data:"))]
            assert page.locator("#timeline img").count() == 0   # the label is text, not markup
            for n in range(len(HOSTILE)):
                page.locator("#timeline a", has_text=f"hostile event {n}").click()
            page.wait_for_timeout(300)
            assert dialogs == []
            browser.close()
    finally:
        running.stop()
