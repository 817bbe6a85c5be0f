"""Build the given-name and surname lists shipped in ``jtbd_methods/_data/names/``.

The lists let :mod:`jtbd_methods.names` recognise person names that no ``redact_names`` list
holds. They are built once, offline, from two MIT-licensed PyPI packages, and committed:

* ``names`` 0.3.0 (Trey Hunner, MIT), which ships the US Census Bureau's 1990 frequency
  lists of first names (``dist.male.first``, ``dist.female.first``) and surnames
  (``dist.all.last``); the census lists themselves are US government works in the public
  domain.
* ``Faker`` (MIT), whose ``lorem`` provider (en_US) gives a list of about 1,000 common English
  words (``common_words.txt``: a capitalised common word needs more evidence than a name),
  and whose ``person`` providers hold given names and surnames of many locales;
  only the locales of the main groups of NHS staff and patients are used, and only names
  written in the Latin alphabet.

Usage (any machine with PyPI access; nothing here runs at import time)::

    pip download --no-deps names==0.3.0 faker
    python tools/build_name_lists.py --names-sdist names-0.3.0.tar.gz --faker-wheel faker-*.whl

References
----------
.. [1] US Census Bureau (1995). *Frequently occurring first names and surnames from the
   1990 census*. Genealogy data files ``dist.all.last``, ``dist.female.first``,
   ``dist.male.first``.
.. [2] Hunner, T. *names* 0.3.0 (2013), MIT licence. https://pypi.org/project/names/
.. [3] Faraglia, D. et al. *Faker*, MIT licence. https://pypi.org/project/Faker/
"""

from __future__ import annotations

import argparse
import importlib
import io
import re
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

#: Faker locales whose names are used (UK, Ireland, South Asia, West and East Africa,
#: the Philippines via en_PH-like Spanish names, and the EU countries most NHS staff come from).
LOCALES = (
    "en_GB",
    "en_IE",
    "en_US",
    "en_IN",
    "en_PK",
    "en_NG",
    "en_KE",
    "yo_NG",
    "ig_NG",
    "ha_NG",
    "tw_GH",
    "sw",
    "zu_ZA",
    "pl_PL",
    "ro_RO",
    "pt_PT",
    "pt_BR",
    "es_ES",
    "it_IT",
    "fr_FR",
    "de_DE",
    "lt_LT",
    "lv_LV",
    "hu_HU",
    "cs_CZ",
    "sk_SK",
    "bg_BG",
    "hr_HR",
    "el_GR",
    "tr_TR",
    "ga_IE",
    "nl_NL",
    "id_ID",
)
#: Census surnames kept, by frequency rank (the long tail holds rare spellings).
N_SURNAMES = 20_000
_LATIN = re.compile(r"^[a-zà-öø-ÿāăąćčďđēėęěğīįıķĺľłńņňōőœŕřśşšţťūůűųźżž' -]+$")


def _census(sdist: Path, member: str) -> list[str]:
    with tarfile.open(sdist) as tar:
        path = next(m for m in tar.getnames() if m.endswith(member))
        text = tar.extractfile(path).read().decode("ascii")  # type: ignore[union-attr]
    return [line.split()[0].lower() for line in text.splitlines() if line.strip()]


def _faker_names(wheel: Path) -> tuple[set[str], set[str], set[str]]:
    """Given names, surnames and common English words (Faker's en_US lorem word list)."""
    given: set[str] = set()
    family: set[str] = set()
    with tempfile.TemporaryDirectory() as tmp:
        zipfile.ZipFile(wheel).extractall(tmp)
        sys.path.insert(0, tmp)
        try:
            for locale in LOCALES:
                provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
                for attr, target in (
                    ("first_names", given),
                    ("first_names_male", given),
                    ("first_names_female", given),
                    ("last_names", family),
                ):
                    values = getattr(provider, attr, None) or ()
                    for value in values:  # tuples, lists or {name: weight} mappings
                        target.add(str(value).lower())
            lorem = importlib.import_module("faker.providers.lorem.en_US").Provider
            words = {str(w).lower() for w in lorem.word_list}
        finally:
            sys.path.remove(tmp)
    return given, family, words


def _clean(names: set[str]) -> list[str]:
    keep = {n.strip() for n in names if _LATIN.match(n.strip()) and len(n.strip()) >= 2}
    return sorted(keep)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names-sdist", type=Path, required=True)
    parser.add_argument("--faker-wheel", type=Path, required=True)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parents[1] / "jtbd_methods/_data/names"
    )
    args = parser.parse_args(argv)
    given = set(_census(args.names_sdist, "dist.male.first"))
    given |= set(_census(args.names_sdist, "dist.female.first"))
    family = set(_census(args.names_sdist, "dist.all.last")[:N_SURNAMES])
    faker_given, faker_family, common = _faker_names(args.faker_wheel)
    given |= faker_given
    family |= faker_family
    args.out.mkdir(parents=True, exist_ok=True)
    lists = (("given_names.txt", given), ("surnames.txt", family), ("common_words.txt", common))
    for name, values in lists:
        buffer = io.StringIO()
        for value in _clean(values):
            buffer.write(value + "\n")
        (args.out / name).write_text(buffer.getvalue(), encoding="utf-8")


if __name__ == "__main__":
    main()
