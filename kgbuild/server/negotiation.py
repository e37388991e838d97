"""HTTP content negotiation (RFC 9110 §12.5.1): Accept with q-values, and the formats we offer.

Each result kind has an ordered list of formats; the first is the default when the client sends
no Accept header (or only */*). A format is (short name, media type).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    aliases: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        textual = self.media_type.startswith("text/") or self.media_type.endswith(("+json", "+xml", "json", "xml")) \
            or self.media_type in ("application/n-triples", "application/n-quads", "application/trig")
        return self.media_type + ("; charset=utf-8" if textual else "")


JSON = Format("json", "application/sparql-results+json", ("application/json",))
XML = Format("xml", "application/sparql-results+xml", ("application/xml", "text/xml"))
CSV = Format("csv", "text/csv")
TSV = Format("tsv", "text/tab-separated-values")
TURTLE = Format("turtle", "text/turtle", ("application/x-turtle",))
NTRIPLES = Format("ntriples", "application/n-triples", ("text/plain",))
RDFXML = Format("rdfxml", "application/rdf+xml", ("application/xml", "text/xml"))
JSONLD = Format("jsonld", "application/ld+json", ("application/json",))
TRIG = Format("trig", "application/trig")
NQUADS = Format("nquads", "application/n-quads")
HTML = Format("html", "text/html", ("application/xhtml+xml",))

SOLUTIONS = (JSON, XML, CSV, TSV)
BOOLEAN = (JSON, XML)
GRAPH = (TURTLE, NTRIPLES, RDFXML, JSONLD, TRIG, NQUADS)
DATASET = (TRIG, NQUADS, JSONLD)
BY_NAME = {f.name: f for f in (JSON, XML, CSV, TSV, TURTLE, NTRIPLES, RDFXML, JSONLD, TRIG, NQUADS, HTML)}


class NotAcceptable(ValueError):
    def __init__(self, offered: tuple[Format, ...], accept: str):
        names = ", ".join(f.media_type for f in offered)
        super().__init__(f"none of the media types in 'Accept: {accept}' can be produced here; "
                         f"this response is available as {names}")


def parse_accept(header: str) -> list[tuple[str, float, int]]:
    """[(media range, q, position)], lowercased; malformed q-values count as 1."""
    ranges = []
    for pos, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        if "/" not in media:
            media = media + "/*" if media == "*" else media
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 1.0
        ranges.append((media, q, pos))
    return ranges


def _quality(fmt: Format, ranges) -> tuple[float, int, int]:
    """(q, specificity, -position) of the best range matching the format."""
    best = (-1.0, -1, 0)
    for media, q, pos in ranges:
        for i, mt in enumerate((fmt.media_type,) + fmt.aliases):
            if media == mt:
                spec = 3 if i == 0 else 2
            elif media.endswith("/*") and media[:-1] == mt.split("/")[0] + "/":
                spec = 1
            elif media == "*/*":
                spec = 0
            else:
                continue
            cand = (q, spec, -pos)
            if (spec, q) > (best[1], best[0]):
                best = cand
    return best


def choose(accept: str | None, offered: tuple[Format, ...], *, explicit: str | None = None) -> Format:
    """The format to answer in. `explicit` (a ?format= value) wins over the header.

    No Accept header, or an empty one, means the first offered format.
    """
    if explicit:
        fmt = BY_NAME.get(explicit.lower()) or next((f for f in offered if f.media_type == explicit.lower()), None)
        if fmt is None or fmt not in offered:
            raise NotAcceptable(offered, f"format={explicit}")
        return fmt
    if not accept or not accept.strip():
        return offered[0]
    ranges = parse_accept(accept)
    scored = []
    for order, fmt in enumerate(offered):
        q, spec, negpos = _quality(fmt, ranges)
        if q > 0:
            scored.append((q, spec, negpos, -order, fmt))
    if not scored:
        raise NotAcceptable(offered, accept)
    scored.sort(key=lambda s: s[:4], reverse=True)
    # Among equal q, a type the client named beats a wildcard, then earlier in the header,
    # then our own order.
    return scored[0][4]


def prefers_html(accept: str | None, than: tuple[Format, ...]) -> bool:
    """True when the client names text/html explicitly with a q at least that of every format in `than`."""
    if not accept:
        return False
    ranges = parse_accept(accept)
    q_html, spec_html, _ = _quality(HTML, ranges)
    if spec_html < 2 or q_html <= 0:
        return False
    return all(q_html >= _quality(f, ranges)[0] if _quality(f, ranges)[1] >= 2 else True for f in than)
