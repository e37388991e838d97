from __future__ import annotations

import pyoxigraph as ox
import pytest

from kgbuild.errors import GeokgError
from kgbuild.store import load_file, open_store, replace_store, sorted_nquads

NQ = b'<http://e/s> <http://e/p> "o" <http://e/g> .\n<http://e/s> <http://e/p> "a" .\n'


def test_replace_store_swaps_in_and_is_sorted(tmp_path):
    path = tmp_path / "s"
    assert replace_store(path, NQ) == 2
    assert sorted_nquads(open_store(path)) == b"\n".join(sorted(NQ.strip().split(b"\n"))) + b"\n"


def test_replace_store_keeps_old_store_on_bad_input(tmp_path):
    path = tmp_path / "s"
    replace_store(path, NQ)
    with pytest.raises(GeokgError):
        replace_store(path, b"<http://e/s> <http://e/p> broken .\n")
    assert len(open_store(path)) == 2


@pytest.mark.parametrize("name,content", [
    ("a.ttl", '@prefix e: <http://e/> . e:s e:p "1" . e:s e:p "2" .'),
    ("a.nt", '<http://e/s> <http://e/p> "1" .\n'),
    ("a.nq", '<http://e/s> <http://e/p> "1" <http://e/g> .\n'),
    ("a.trig", '<http://e/g> { <http://e/s> <http://e/p> "1" . }'),
    ("a.rdf", '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
              'xmlns:e="http://e/"><rdf:Description rdf:about="http://e/s"><e:p>1</e:p></rdf:Description></rdf:RDF>'),
    ("a.jsonld", '{"@id": "http://e/s", "http://e/p": "1"}'),
])
def test_load_file_reads_every_format(tmp_path, name, content):
    file = tmp_path / name
    file.write_text(content)
    store = ox.Store()
    assert load_file(store, file) >= 1


def test_load_file_is_all_or_nothing(tmp_path):
    file = tmp_path / "a.nt"
    file.write_text('<http://e/s> <http://e/p> "1" .\n<http://e/s> <http://e/p> oops .\n')
    store = ox.Store()
    with pytest.raises(GeokgError, match="a.nt"):
        load_file(store, file)
    assert len(store) == 0
