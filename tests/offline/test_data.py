"""load_glue: the Hub's schema from a GLUE folder or the embedded sets, and clear errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest
from datasets import ClassLabel, Value

from hfcourse.offline.data import EMBEDDED_DIR, GLUE_TASKS, DataFormatError, data_source, load_glue, read_glue_tsv

MRPC_HEADER = "Quality\t#1 ID\t#2 ID\t#1 String\t#2 String"
MRPC_ROW = "1\t702876\t702977\tThe cat sat on the mat .\tA cat was sitting on the mat ."


def write(folder: Path, name: str, text: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def mrpc_folder(folder: Path, train: str, dev: str | None = None) -> Path:
    write(folder, "train.tsv", train)
    write(folder, "dev.tsv", dev if dev is not None else f"{MRPC_HEADER}\n{MRPC_ROW}\n")
    return folder


# ----------------------------------------------------------------------------------------------- schema


def assert_hub_schema(dataset, task: str) -> None:
    spec = GLUE_TASKS[task]
    for split in dataset.values():
        assert list(split.features) == [*spec.text_columns, "label", "idx"]
        assert split.features["label"] == ClassLabel(names=list(spec.label_names))
        assert split.features["idx"] == Value("int32")


def test_real_mrpc_folder_matches_the_hub(real_glue_dir):
    dataset = load_glue("mrpc", real_glue_dir / "mrpc")
    assert {split: len(rows) for split, rows in dataset.items()} == {"train": 3668, "validation": 408}
    assert_hub_schema(dataset, "mrpc")
    first = dataset["train"][0]
    assert first["sentence1"].startswith("Amrozi accused his brother")
    assert (first["label"], first["idx"]) == (1, 0)
    assert dataset["train"].features["label"].int2str(first["label"]) == "equivalent"
    assert data_source(dataset) == f"GLUE folder: {real_glue_dir / 'mrpc'}"
    assert "GLUE folder" in dataset["train"].info.description


def test_real_sst2_from_a_glue_root_folder(real_glue_dir):
    dataset = load_glue("sst2", real_glue_dir)  # the root: the task folder is found inside
    assert_hub_schema(dataset, "sst2")
    assert len(dataset["validation"]) == 872
    assert len(dataset["train"]) == 67349


def test_glue_dir_from_the_environment(monkeypatch, real_glue_dir):
    monkeypatch.setenv("HFCOURSE_GLUE_DIR", str(real_glue_dir))
    assert len(load_glue("MRPC")["validation"]) == 408


@pytest.mark.parametrize("task", ["mrpc", "sst2"])
def test_embedded_sets_offline(task):
    dataset = load_glue(task)
    assert data_source(dataset).startswith("embedded")
    assert_hub_schema(dataset, task)
    assert set(dataset) == {"train", "validation"}
    labels = dataset["train"]["label"]
    assert len(labels) >= 500 and 0.3 < sum(labels) / len(labels) < 0.8
    train_text = set(dataset["train"][GLUE_TASKS[task].text_columns[0]])
    assert not train_text & set(dataset["validation"][GLUE_TASKS[task].text_columns[0]])


def test_embedded_files_ship_with_the_package():
    assert sorted(p.relative_to(EMBEDDED_DIR).as_posix() for p in EMBEDDED_DIR.glob("*/*.tsv")) == [
        "everyday/train.tsv",
        "mrpc/dev.tsv",
        "mrpc/train.tsv",
        "sst2/dev.tsv",
        "sst2/train.tsv",
    ]


# ------------------------------------------------------------------------------------- tolerated formats


def test_bom_and_crlf_load(tmp_path):
    text = f"\ufeff{MRPC_HEADER}\r\n{MRPC_ROW}\r\n0\t1\t2\tOne .\tTwo .\r\n"
    dataset = load_glue("mrpc", mrpc_folder(tmp_path, text))
    assert dataset["train"]["label"] == [1, 0]
    assert dataset["train"][1]["sentence2"] == "Two ."


def test_test_split_is_unlabelled_like_the_hub(tmp_path):
    folder = mrpc_folder(tmp_path, f"{MRPC_HEADER}\n{MRPC_ROW}\n")
    write(folder, "test.tsv", "index\t#1 ID\t#2 ID\t#1 String\t#2 String\n0\t1\t2\tA .\tB .\n")
    dataset = load_glue("mrpc", folder)
    assert dataset["test"][0] == {"sentence1": "A .", "sentence2": "B .", "label": -1, "idx": 0}


def test_sst2_test_split(tmp_path):
    write(tmp_path, "train.tsv", "sentence\tlabel\ngood fun \t1\n")
    write(tmp_path, "dev.tsv", "sentence\tlabel\ndull \t0\n")
    write(tmp_path, "test.tsv", "index\tsentence\n0\tso so\n")
    dataset = load_glue("sst2", tmp_path)
    assert dataset["test"][0] == {"sentence": "so so", "label": -1, "idx": 0}
    assert dataset["train"][0]["sentence"] == "good fun "  # kept as the Hub has it


# ------------------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    "content, expected",
    [
        ("", r"train.tsv: the file is empty"),
        (f"{MRPC_HEADER}\n", r"train.tsv: the file has a header but no rows"),
        ("label\tsentence\n1\tx\n", r"train.tsv, line 1: header .* is not the GLUE mrpc header"),
        (
            f"{MRPC_HEADER}\n{MRPC_ROW}\n1\t2\t3\tonly one sentence\n",
            r"train.tsv, line 3: 4 tab-separated fields, expected 5",
        ),
        (f"{MRPC_HEADER}\n2\t1\t2\tA .\tB .\n", r"train.tsv, line 2: label '2' .* is not 0 or 1"),
        (f"{MRPC_HEADER}\nyes\t1\t2\tA .\tB .\n", r"line 2: label 'yes'"),
        (f"{MRPC_HEADER}\n1\t1\t2\t \tB .\n", r"line 2: column '#1 String' is empty"),
        (f"{MRPC_HEADER}\n{MRPC_ROW}\n\n{MRPC_ROW}\n", r"line 3: empty line inside the file"),
        (b"\x89PNG\r\n\x1a\n\x00\xff\xfe", r"train.tsv, line 1: not UTF-8 text"),
        (f"{MRPC_HEADER}\n{MRPC_ROW}\n".encode() + b"1\t2\t3\t\xff\xfe\tB\n", r"train.tsv, line 3: not UTF-8 text"),
        (f"{MRPC_HEADER}\n1\t1\t2\t{'long ' * 200_000}\n", r"line 2: 4 tab-separated fields"),
    ],
)
def test_malformed_files_name_file_line_and_problem(tmp_path, content, expected):
    with pytest.raises(DataFormatError, match=expected):
        load_glue("mrpc", mrpc_folder(tmp_path, content))


def test_missing_dev_file(tmp_path):
    write(tmp_path, "train.tsv", f"{MRPC_HEADER}\n{MRPC_ROW}\n")
    with pytest.raises(FileNotFoundError, match="has no dev.tsv"):
        load_glue("mrpc", tmp_path)


def test_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_glue("mrpc", tmp_path / "nowhere")


def test_folder_without_task_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="No GLUE mrpc files"):
        load_glue("mrpc", tmp_path)


def test_unknown_task():
    with pytest.raises(ValueError, match="Unknown GLUE task 'cola'.*mrpc, sst2"):
        load_glue("cola")


def test_read_glue_tsv_returns_columns(tmp_path):
    path = write(tmp_path, "dev.tsv", f"{MRPC_HEADER}\n{MRPC_ROW}\n")
    assert read_glue_tsv(path, "mrpc") == {
        "sentence1": ["The cat sat on the mat ."],
        "sentence2": ["A cat was sitting on the mat ."],
        "label": [1],
        "idx": [0],
    }


def test_the_source_travels_with_the_data_through_tokenizing_and_selecting():
    from transformers import AutoTokenizer

    from hfcourse import data_source, resolve_checkpoint, tokenize_dataset

    raw = load_glue("mrpc")
    tokenizer = AutoTokenizer.from_pretrained(resolve_checkpoint("encoder").name_or_path)
    tokenized = tokenize_dataset(raw, tokenizer)
    tokenized.set_format("torch")
    source = data_source(raw)
    assert source.startswith("embedded")
    assert data_source(tokenized) == data_source(raw["train"].shuffle(seed=1).select(range(4))) == source


def test_data_source_of_other_data_says_how_to_load_it():
    from datasets import Dataset

    from hfcourse import data_source

    with pytest.raises(ValueError, match=r"hfcourse.load_glue\(task\)"):
        data_source(Dataset.from_dict({"sentence": ["a"]}))
    with pytest.raises(TypeError, match="got list"):
        data_source([1, 2])
