"""Reference data: the entities articles name, with external ids, and the articles' metadata."""
from __future__ import annotations

import copy
import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import GeokgError

ENTITY_TYPES = (
    "State", "DeFactoState", "Government", "Organization", "PoliticalMovement", "ArmedForces", "MilitaryUnit",
    "DiplomaticMission", "NewsOrganization", "NewsAgency", "IntergovernmentalOrganization",
    "Person", "Journalist", "MilitaryOfficer", "Place", "City", "Airport", "Region",
    "AircraftModel", "Aircraft", "Position",
)
QID = re.compile(r"^Q[1-9][0-9]*$")


@dataclass
class Entity:
    id: str
    type: str
    label: str
    aliases: list[str] = field(default_factory=list)
    wikidata: str | None = None
    wikidata_verified_by: str | None = None
    geonames: str | None = None
    dbpedia: str | None = None
    description: str | None = None
    links: dict[str, str] = field(default_factory=dict)  # field -> entity id (country, government_of, ...)


@dataclass
class ArticleMeta:
    id: str
    text_path: Path
    text: str
    title: str
    publisher: str | None = None
    url: str | None = None
    date_published: datetime.date | None = None
    date_not_before: datetime.date | None = None
    date_not_after: datetime.date | None = None
    event_date: datetime.date | None = None
    language: str = "en"


LINK_FIELDS = ("country", "government_of", "part_of", "position_of", "affiliation", "member_of",
               "manufacturer", "operator", "claimed_from")


def read_entities(path: Path) -> dict[str, Entity]:
    """Read data/reference/entities.yaml; raises GeokgError naming the entity and the problem."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise GeokgError(f"not valid YAML: {exc}", path=path, line=mark.line + 1 if mark else None) from exc
    except OSError as exc:
        raise GeokgError(f"cannot read the reference entities: {exc}", path=path) from exc
    if isinstance(raw, dict) and "entities" in raw:
        raw = raw["entities"]
    if not isinstance(raw, list):
        raise GeokgError("the reference file must be a list of entities", path=path)
    return entities_from_items(raw, path)


def entities_from_items(raw: list, path: Path) -> dict[str, Entity]:
    """Check a list of entity mappings (as in entities.yaml) and return them by id."""
    entities: dict[str, Entity] = {}
    files: dict[str, str] = {}
    for item in raw:
        path = item.get("_file", path) if isinstance(item, dict) else path
        if not isinstance(item, dict) or not item.get("id"):
            raise GeokgError(f"an entity without an id: {item!r:.80}", path=path)
        eid = str(item["id"])
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", eid):
            raise GeokgError(f"entity id {eid!r} must be lower-case letters, digits and hyphens", path=path)
        if eid in entities:
            raise GeokgError(f"entity id {eid!r} is listed twice", path=path)
        if item.get("type") not in ENTITY_TYPES:
            raise GeokgError(f"entity {eid!r}: type {item.get('type')!r} is not one of {', '.join(ENTITY_TYPES)}",
                             path=path)
        qid = item.get("wikidata")
        if qid is not None and not QID.match(str(qid)):
            raise GeokgError(f"entity {eid!r}: wikidata {qid!r} is not a QID like Q717", path=path)
        if qid and not item.get("wikidata_verified_by"):
            raise GeokgError(f"entity {eid!r}: wikidata {qid} has no 'wikidata_verified_by'", path=path,
                             hint="say where the id was read together with its label, "
                                  "or move it to 'wikidata_unverified'")
        files[eid] = path
        entities[eid] = Entity(
            id=eid, type=item["type"], label=str(item.get("label") or eid),
            aliases=[str(a) for a in item.get("aliases") or []],
            wikidata=str(qid) if qid else None, wikidata_verified_by=item.get("wikidata_verified_by"),
            geonames=str(item["geonames"]) if item.get("geonames") else None,
            dbpedia=item.get("dbpedia"), description=item.get("description"),
            links={k: str(item[k]) for k in LINK_FIELDS if item.get(k)},
        )
    for entity in entities.values():
        for key, target in entity.links.items():
            if target not in entities:
                raise GeokgError(f"entity {entity.id!r}: {key} {target!r} is not a reference entity",
                                 path=files.get(entity.id, path))
    return entities


_PARSED: dict[str, tuple[tuple[int, int], Any]] = {}


def _parsed_yaml(path: Path):
    """A YAML file's content, parsed once per version of the file: one ingest reads the
    reference folder three times (linker, validation, build), and parsing is most of its cost."""
    stat = path.stat()
    version = (stat.st_mtime_ns, stat.st_size)
    hit = _PARSED.get(str(path))
    if hit is None or hit[0] != version:
        try:
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 20x faster
            raw = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or []
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise GeokgError(f"not valid YAML: {exc}", path=path, line=mark.line + 1 if mark else None) from exc
        hit = _PARSED[str(path)] = (version, raw)
    return copy.deepcopy(hit[1])  # callers may change what they get


def reference_items(folder: Path) -> list[dict]:
    """The raw entity mappings of a reference folder: entities.yaml, then the broad snapshot
    (world*.yaml, generated and curated) and the extractor's local entities (local.yaml).

    entities.yaml wins: a later file's entity with a known id is skipped, and an entry with
    `extends: true` only adds aliases (and linker fields) to the entity it names.
    """
    folder = Path(folder)
    files = [folder / "entities.yaml", *sorted(folder.glob("world*.yaml")), folder / "local.yaml"]
    items: dict[str, dict] = {}
    for path in files:
        if not path.exists():
            continue
        raw = _parsed_yaml(path)
        if isinstance(raw, dict) and "entities" in raw:
            raw = raw["entities"]
        if not isinstance(raw, list):
            raise GeokgError("the reference file must be a list of entities", path=path)
        for item in raw:
            if not isinstance(item, dict) or not item.get("id"):
                raise GeokgError(f"an entity without an id: {item!r:.80}", path=path)
            eid = str(item["id"])
            if item.get("extends"):
                if eid not in items:
                    raise GeokgError(f"entry {eid!r} extends an entity that is not defined before it", path=path)
                base = items[eid] = dict(items[eid])
                for key, value in item.items():
                    if key in ("id", "extends"):
                        continue
                    if isinstance(value, list):
                        base[key] = list(base.get(key) or []) + [v for v in value if v not in (base.get(key) or [])]
                    elif key not in base:
                        base[key] = value
            elif eid not in items:
                items[eid] = dict(item, _file=str(path))
    return list(items.values())


def read_reference(folder: Path) -> dict[str, Entity]:
    """All reference entities of a folder (see reference_items): what build and the linker use."""
    folder = Path(folder)
    return entities_from_items(reference_items(folder), folder / "entities.yaml")


def read_article(text_path: Path) -> ArticleMeta:
    """An article's text and metadata: from a sibling .yaml if there is one, else from header lines."""
    text_path = Path(text_path)
    try:
        text = text_path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise GeokgError(f"the article is not UTF-8 text: {exc}", path=text_path) from exc
    except OSError as exc:
        raise GeokgError(f"cannot read the article: {exc}", path=text_path) from exc
    meta_path = text_path.with_suffix(".yaml")
    meta: dict[str, Any] = {}
    if meta_path.exists():
        try:
            meta = yaml.safe_load(meta_path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise GeokgError(f"not valid YAML: {exc}", path=meta_path) from exc
        if not isinstance(meta, dict):
            raise GeokgError("article metadata must be a YAML mapping", path=meta_path)
    first_line = text.strip().splitlines()[0].strip() if text.strip() else text_path.stem

    def date_of(key: str) -> datetime.date | None:
        value = meta.get(key)
        if value is None:
            return None
        if isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(str(value))
        except ValueError:
            raise GeokgError(f"{key}: {value!r} is not a date (YYYY-MM-DD)", path=meta_path) from None

    return ArticleMeta(
        id=str(meta.get("id") or text_path.stem), text_path=text_path, text=text,
        title=str(meta.get("title") or first_line), publisher=meta.get("publisher"), url=meta.get("url"),
        date_published=date_of("date_published"), date_not_before=date_of("date_not_before"), date_not_after=date_of("date_not_after"),
        event_date=date_of("event_date"), language=str(meta.get("language") or "en"),
    )
