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
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "pgettext": ((1, "c"), 2)}


def source_messages() -> set[tuple[str, str | None]]:
    """Every (text, context) that the Python code and the templates mark for translation."""
    with open(ROOT / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = set()
    for _, _, message, _, context in extract_from_dir(str(ROOT), method_map, options_map, keywords=KEYWORDS):
        for text in message if isinstance(message, tuple) else (message,):
            if text:
                found.add((text, context))
    return found


@pytest.fixture(scope="module")
def catalogue():
    """Messages by id; a plural message is found under its singular and its plural id."""
    with open(CATALOGUE, "rb") as handle:
        messages = [m for m in read_po(handle, locale="id") if m.id]
    by_id = {}
    for message in messages:
        for text in message.id if isinstance(message.id, tuple) else (message.id,):
            by_id[text, message.context] = message
    return by_id


def translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings) and not message.fuzzy


def test_every_ui_string_is_translated_to_indonesian(catalogue):
    untranslated = sorted(
        f"{text} (context {context})" if context else text
        for text, context in source_messages()
        if (text, context) not in catalogue or not translated(catalogue[text, context])
    )
    assert not untranslated, "run the catalogue update in README and translate:\n" + "\n".join(untranslated)


def test_translations_keep_the_placeholders(catalogue):
    broken = [
        message.id for message in {id(m): m for m in catalogue.values()}.values()
        if isinstance(message.id, str) and message.string
        and sorted(PLACEHOLDER.findall(message.id)) != sorted(PLACEHOLDER.findall(message.string))
    ]
    assert not broken
