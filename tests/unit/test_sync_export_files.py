"""Reading a file of records a phone exported: a JSON array or JSON lines, read as a stream, refused whole when it
is no such file."""

import io
import json

import pytest
from flask_babel import force_locale

from campaign_app.sync.importer import CHUNK, read_exported
from campaign_app.uploads import UnreadableUpload


@pytest.fixture(autouse=True)
def english(app_context):
    with force_locale("en"):
        yield


def values(content: bytes) -> list:
    return list(read_exported(io.BytesIO(content)))


def refusal(content: bytes) -> str:
    with pytest.raises(UnreadableUpload) as refused:
        values(content)
    return refused.value.message


RECORDS = [{"key": f"record-{n:010d}-key", "kind": "signup", "data": {"notes": "é" * (n % 50)}} for n in range(1500)]


def test_a_json_array_larger_than_a_chunk_is_read_record_by_record():
    content = json.dumps(RECORDS, ensure_ascii=False, indent=2).encode()
    assert len(content) > 2 * CHUNK
    assert values(content) == list(enumerate(RECORDS, start=1))


def test_json_lines_are_read_line_by_line_with_a_byte_order_mark():
    content = "\ufeff".encode() + "\n".join(json.dumps(r) for r in RECORDS[:3]).encode() + b"\n\n"
    assert values(content) == [(1, RECORDS[0]), (2, RECORDS[1]), (3, RECORDS[2])]


def test_a_line_that_is_no_json_is_given_as_none_for_the_report():
    assert values(b'{"key": "a"}\n{"key": \n') == [(1, {"key": "a"}), (2, None)]


def test_an_empty_array_holds_no_record():
    assert values(b"  [ ]  ") == []


@pytest.mark.parametrize(("content", "said"), [
    (b"", "empty"), (b"PK\x03\x04rest", "not a phone's export"), (b"nik;nama\n", "not a phone's export"),
    (b"[1 2]", "Record 1"), (b'[{"key": "a"}, {"key"', "Record 2"), (b"[\xe9]", "not UTF-8"),
])
def test_a_file_that_is_no_export_is_refused_with_what_it_is(content, said):
    assert said in refusal(content)
