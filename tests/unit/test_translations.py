"""Every string the UI shows has an Indonesian translation, with the same placeholders."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "campaign_app/translations/id/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def source_messages() -> set[str]:
    with open(ROOT / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, options_map, keywords=KEYWORDS):
        for text in message if isinstance(message, tuple) else (message,):
            if text:
                found.add(text)
    return found


@pytest.fixture(scope="module")
def catalogue():
    with open(CATALOGUE, "rb") as handle:
        return {m.id: m for m in read_po(handle, locale="id") if m.id}


def test_every_ui_string_is_translated_to_indonesian(catalogue):
    untranslated = sorted(
        text for text in source_messages()
        if text not in catalogue or not catalogue[text].string or catalogue[text].fuzzy
    )
    assert not untranslated, "run the catalogue update in README and translate:\n" + "\n".join(untranslated)


def test_translations_keep_the_placeholders(catalogue):
    broken = [
        message.id for message in catalogue.values()
        if isinstance(message.id, str) and message.string
        and sorted(PLACEHOLDER.findall(message.id)) != sorted(PLACEHOLDER.findall(message.string))
    ]
    assert not broken
