"""geokg: news text -> an OWL/RDF knowledge graph with evidence -> saved SPARQL queries.

The notebook API, one function per stage:

>>> import kgbuild
>>> graph = kgbuild.open_graph(".geokg/store")          # doctest: +SKIP
>>> graph.query("who-backs-whom", entity="russia")      # doctest: +SKIP
"""
from __future__ import annotations

__version__ = "0.1.0"

from .api import Graph, open_graph  # noqa: E402

__all__ = ["Graph", "open_graph", "__version__"]
