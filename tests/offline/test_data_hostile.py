"""Property-based tests: whatever bytes a GLUE file holds, load_glue loads every row or names the problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hfcourse.offline.data import DataFormatError, read_glue_tsv

MRPC_HEADER = "Quality\t#1 ID\t#2 ID\t#1 String\t#2 String"
# Text fields: printable text without the separators (tab, line breaks) and not blank.
field_text = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\t\n\r\x0b\x0c\x1c\x1d\x1e\x85"
    ),
    min_size=1,
    max_size=60,
).filter(str.strip)
valid_row = st.tuples(st.sampled_from(["0", "1"]), st.integers(0, 10**7), st.integers(0, 10**7), field_text, field_text)
PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def write(tmp_path: Path, content: bytes) -> Path:
    path = tmp_path / "train.tsv"
    path.write_bytes(content)
    return path


@PROPERTY_SETTINGS
@given(rows=st.lists(valid_row, min_size=1, max_size=30), crlf=st.booleans(), bom=st.booleans())
def test_valid_files_load_every_row_exactly(tmp_path, rows, crlf, bom):
    newline = "\r\n" if crlf else "\n"
    text = newline.join([MRPC_HEADER, *("\t".join(map(str, row)) for row in rows)]) + newline
    columns = read_glue_tsv(write(tmp_path, (("\ufeff" if bom else "") + text).encode()), "mrpc")
    assert columns["label"] == [int(row[0]) for row in rows]
    assert columns["sentence1"] == [row[3] for row in rows]
    assert columns["sentence2"] == [row[4] for row in rows]
    assert columns["idx"] == list(range(len(rows)))


@PROPERTY_SETTINGS
@given(rows=st.lists(valid_row, min_size=2, max_size=20), data=st.data())
def test_one_damaged_row_is_reported_by_line(tmp_path, rows, data):
    lines = ["\t".join(map(str, row)) for row in rows]
    broken = data.draw(st.integers(0, len(lines) - 1))
    damage = data.draw(st.sampled_from(["drop_field", "extra_field", "bad_label", "blank_text", "truncate"]))
    fields = lines[broken].split("\t")
    if damage == "drop_field":
        fields = fields[:-1]
    elif damage == "extra_field":
        fields.append("surplus")
    elif damage == "bad_label":
        fields[0] = data.draw(st.sampled_from(["2", "-1", "1.0", "yes", "", "equivalent", "01x"]))
    elif damage == "blank_text":
        fields[3] = " "
    else:
        fields = fields[:2]
    lines[broken] = "\t".join(fields)
    path = write(tmp_path, "\n".join([MRPC_HEADER, *lines]).encode())
    with pytest.raises(DataFormatError, match=rf"train\.tsv, line {broken + 2}: "):
        read_glue_tsv(path, "mrpc")


@PROPERTY_SETTINGS
@given(content=st.binary(max_size=400))
def test_arbitrary_bytes_load_fully_or_raise_a_named_error(tmp_path, content):
    path = write(tmp_path, content)
    try:
        columns = read_glue_tsv(path, "mrpc")
    except DataFormatError as error:
        assert str(path) in str(error)
        return
    # Anything accepted was a well-formed file: one row per line after the header, none dropped.
    data_lines = content.decode("utf-8-sig").splitlines()[1:]
    while data_lines and not data_lines[-1].strip():
        data_lines.pop()
    assert len(columns["idx"]) == len(data_lines)


@pytest.mark.parametrize("task", ["mrpc", "sst2"])
def test_huge_line_is_read_not_truncated(tmp_path, task):
    sentence = "word " * 100_000
    header, row = (
        (MRPC_HEADER, f"1\t1\t2\t{sentence}\tshort .") if task == "mrpc" else ("sentence\tlabel", f"{sentence}\t1")
    )
    columns = read_glue_tsv(write(tmp_path, f"{header}\n{row}\n".encode()), task)
    assert columns[("sentence1" if task == "mrpc" else "sentence")][0] == sentence


# Every character str.splitlines() splits on, except the line feed that ends a row.
LINE_BREAKS_INSIDE_A_SENTENCE = ["\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@PROPERTY_SETTINGS
@given(
    rows=st.lists(valid_row, min_size=1, max_size=10),
    breaks=st.lists(st.sampled_from(LINE_BREAKS_INSIDE_A_SENTENCE), min_size=1, max_size=10),
    crlf=st.booleans(),
)
def test_unicode_line_breaks_stay_inside_their_sentence(tmp_path, rows, breaks, crlf):
    # Each row's first sentence gets a line break in its middle; rows still end at "\n" (or "\r\n") only.
    rows = [
        (label, id1, id2, f"{first}{breaks[index % len(breaks)]}{first}", second)
        for index, (label, id1, id2, first, second) in enumerate(rows)
    ]
    newline = "\r\n" if crlf else "\n"
    text = newline.join([MRPC_HEADER, *("\t".join(map(str, row)) for row in rows)]) + newline
    columns = read_glue_tsv(write(tmp_path, text.encode()), "mrpc")
    assert columns["sentence1"] == [row[3] for row in rows]
    assert columns["sentence2"] == [row[4] for row in rows]
