"""GLUE MRPC and SST-2 with exactly the schema of the Hub's ``nyu-mll/glue``, from three sources.

In order: a folder of the original GLUE TSV files (``data_dir`` or ``HFCOURSE_GLUE_DIR``), the Hub when
online, else the small embedded sets written for this project (``hfcourse/offline/embedded``). Every file is read
strictly: a malformed row is an error naming the file, the line and the problem, never a silently
shortened dataset.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from datasets import ClassLabel, Dataset, DatasetDict, Features, Value

from .checkpoints import configure_offline, go_offline, hub_failure, hub_problem, is_offline
from .validation import check_path

__all__ = ["GLUE_TASKS", "DataFormatError", "GlueTask", "data_source", "load_glue", "read_glue_tsv"]

HUB_DATASET = "nyu-mll/glue"
EMBEDDED_DIR = Path(__file__).resolve().parent / "embedded"


class DataFormatError(ValueError):
    """A GLUE file that cannot be read as the task's format."""


@dataclass(frozen=True)
class GlueTask:
    """The file layout and Hub schema of one GLUE task."""

    name: str
    text_columns: tuple[str, ...]
    label_names: tuple[str, ...]
    header: tuple[str, ...]  # header of train.tsv / dev.tsv
    test_header: tuple[str, ...]  # header of test.tsv (no labels)
    label_field: int  # column of the label in train/dev rows
    text_fields: tuple[int, ...]  # columns of the text columns in train/dev rows
    test_text_fields: tuple[int, ...]  # columns of the text columns in test rows
    folder_names: tuple[str, ...]  # names of the task's folder inside a GLUE root

    @property
    def features(self) -> Features:
        columns = {name: Value("string") for name in self.text_columns}
        columns["label"] = ClassLabel(names=list(self.label_names))
        columns["idx"] = Value("int32")
        return Features(columns)


GLUE_TASKS: dict[str, GlueTask] = {
    "mrpc": GlueTask(
        name="mrpc",
        text_columns=("sentence1", "sentence2"),
        label_names=("not_equivalent", "equivalent"),
        header=("Quality", "#1 ID", "#2 ID", "#1 String", "#2 String"),
        test_header=("index", "#1 ID", "#2 ID", "#1 String", "#2 String"),
        label_field=0,
        text_fields=(3, 4),
        test_text_fields=(3, 4),
        folder_names=("mrpc", "MRPC"),
    ),
    "sst2": GlueTask(
        name="sst2",
        text_columns=("sentence",),
        label_names=("negative", "positive"),
        header=("sentence", "label"),
        test_header=("index", "sentence"),
        label_field=1,
        text_fields=(0,),
        test_text_fields=(1,),
        folder_names=("sst2", "SST-2", "sst-2", "SST2"),
    ),
}

# GLUE file name -> split name on the Hub
SPLIT_FILES = {"train": "train.tsv", "validation": "dev.tsv", "test": "test.tsv"}


def _get_task(task: str) -> GlueTask:
    key = task.lower().replace("-", "") if isinstance(task, str) else None
    if key not in GLUE_TASKS:
        raise ValueError(f"Unknown GLUE task {task!r}: hfcourse loads {', '.join(GLUE_TASKS)}.")
    return GLUE_TASKS[key]


def read_glue_tsv(path: str | os.PathLike[str], task: str, *, labelled: bool = True) -> dict[str, list]:
    """Read one GLUE TSV file into columns (text columns, label, idx), strictly.

    Byte-order marks and CRLF line ends are accepted; rows end at line feeds only, so any other Unicode line
    break (U+2028, U+0085, a form feed, ...) stays inside its sentence. Raises DataFormatError naming the
    file, the line and the problem for an empty file, a wrong header, a wrong number of fields, an empty
    text or a label that is not 0 or 1. Test files (``labelled=False``) get label -1, as on the Hub.
    """
    spec = _get_task(task)
    path = Path(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise DataFormatError(
            f"{path}, line {line}: not UTF-8 text (byte {error.start}); is it a GLUE TSV file?"
        ) from None
    # Rows end at "\n" (or "\r\n"), as the Hub's loaders and pandas read them; str.splitlines() would also
    # split inside a sentence at U+2028, U+0085, a form feed and the other Unicode line breaks.
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    while lines and not lines[-1].strip():  # blank lines at the very end are harmless
        lines.pop()
    if not lines or not lines[0].strip():
        raise DataFormatError(f"{path}: the file is empty; expected a header line {_tabbed(spec.header)}.")
    expected_header = spec.header if labelled else spec.test_header
    header = tuple(lines[0].split("\t"))
    if header != expected_header:
        raise DataFormatError(
            f"{path}, line 1: header {_tabbed(header)} is not the GLUE {spec.name} header {_tabbed(expected_header)}."
        )
    columns: dict[str, list] = {name: [] for name in (*spec.text_columns, "label", "idx")}
    text_fields = spec.text_fields if labelled else spec.test_text_fields
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            raise DataFormatError(f"{path}, line {number}: empty line inside the file.")
        fields = line.split("\t")
        if len(fields) != len(expected_header):
            raise DataFormatError(
                f"{path}, line {number}: {len(fields)} tab-separated fields, expected {len(expected_header)} "
                f"({_tabbed(expected_header)})."
            )
        for name, field in zip(spec.text_columns, text_fields, strict=True):
            if not fields[field].strip():
                raise DataFormatError(f"{path}, line {number}: column {expected_header[field]!r} is empty.")
            columns[name].append(fields[field])
        if labelled:
            label = fields[spec.label_field].strip()
            if label not in ("0", "1"):
                raise DataFormatError(
                    f"{path}, line {number}: label {label[:40]!r} in column "
                    f"{expected_header[spec.label_field]!r} is not 0 or 1."
                )
            columns["label"].append(int(label))
        else:
            columns["label"].append(-1)
        columns["idx"].append(number - 2)
    if not columns["idx"]:
        raise DataFormatError(f"{path}: the file has a header but no rows.")
    return columns


def _tabbed(fields: Sequence[str]) -> str:
    return repr("\\t".join(fields))


def _task_folder(data_dir: Path, spec: GlueTask) -> Path:
    """Accept the task's own folder (with train.tsv) or a GLUE root that holds it."""
    if data_dir.is_file():
        raise NotADirectoryError(
            f"GLUE folder {str(data_dir)!r} is a file: give the folder that holds train.tsv and dev.tsv."
        )
    if not data_dir.is_dir():
        raise FileNotFoundError(f"GLUE folder {str(data_dir)!r} does not exist (data_dir or HFCOURSE_GLUE_DIR).")
    if (data_dir / "train.tsv").is_file() or (data_dir / "dev.tsv").is_file():
        return data_dir
    for name in spec.folder_names:
        if (data_dir / name).is_dir():
            return data_dir / name
    raise FileNotFoundError(
        f"No GLUE {spec.name} files in {str(data_dir)!r}: expected train.tsv and dev.tsv there or in a "
        f"subfolder named {' or '.join(spec.folder_names)}."
    )


def _from_folder(folder: Path, spec: GlueTask, source: str) -> DatasetDict:
    splits = {}
    for split, filename in SPLIT_FILES.items():
        path = folder / filename
        if not path.is_file():
            if split != "test":
                raise FileNotFoundError(
                    f"{str(folder)!r} has no {filename}: a GLUE {spec.name} folder needs train.tsv and dev.tsv."
                )
            continue
        columns = read_glue_tsv(path, spec.name, labelled=split != "test")
        splits[split] = Dataset.from_dict(columns, features=spec.features, split=split)
    return _labelled(DatasetDict(splits), source)


def _from_hub(spec: GlueTask) -> DatasetDict:
    from datasets import load_dataset

    try:
        dataset = load_dataset(HUB_DATASET, spec.name)
    except Exception as error:
        raise RuntimeError(
            f"Loading {HUB_DATASET}/{spec.name} from the Hub failed ({type(error).__name__}: {error}). "
            "Set HFCOURSE_OFFLINE=1 to use the embedded set, or pass data_dir= a GLUE folder."
        ) from error
    return _labelled(dataset, f"hub: {HUB_DATASET} ({spec.name})")


_SOURCE_PREFIX = "hfcourse source: "


def _labelled(dataset: DatasetDict, source: str) -> DatasetDict:
    """Record where the data came from in each split's ``info``, which ``map``, ``select``, ``shuffle`` and
    ``rename_column`` carry over to what they return."""
    for split in dataset.values():
        split.info.description = _SOURCE_PREFIX + source
    return dataset


def data_source(dataset: Dataset | DatasetDict) -> str:
    """Where ``dataset`` came from (a GLUE folder, the Hub or the embedded set), read from the ``info`` that
    ``load_glue`` wrote; it travels with the data through tokenizing, selecting and shuffling.

    Raises:
        ValueError: for data that ``load_glue`` did not load (and a ``TypeError`` for something else).
    """
    if isinstance(dataset, DatasetDict):
        descriptions = {split.info.description for split in dataset.values()}
    elif isinstance(dataset, Dataset):
        descriptions = {dataset.info.description}
    else:
        raise TypeError(f"data_source needs a datasets Dataset or DatasetDict; got {type(dataset).__name__}.")
    sources = {text[len(_SOURCE_PREFIX) :] for text in descriptions if text and text.startswith(_SOURCE_PREFIX)}
    if len(sources) != 1:
        raise ValueError(
            "This dataset does not say where it came from: load it with hfcourse.load_glue(task), which records "
            "the source in each split's info."
        )
    return sources.pop()


def load_glue(task: str, data_dir: str | os.PathLike[str] | None = None) -> DatasetDict:
    """Load GLUE ``mrpc`` or ``sst2`` with the Hub's schema (``DatasetDict`` of train/validation[/test]).

    Sources, in order: ``data_dir`` (or ``HFCOURSE_GLUE_DIR``) holding the original GLUE TSV files, the
    Hub's ``nyu-mll/glue`` when online, else the embedded set written for this project. The result's
    ``data_source(result)`` says which one was used (it reads each split's ``info``, which travels with the
    data through ``map``, ``select`` and ``shuffle``).
    """
    spec = _get_task(task)
    configure_offline()
    folder = data_dir if data_dir is not None else os.environ.get("HFCOURSE_GLUE_DIR") or None
    if folder is not None:
        task_folder = _task_folder(Path(check_path("data_dir", folder)).expanduser(), spec)
        return _from_folder(task_folder, spec, f"GLUE folder: {task_folder}")
    if not is_offline():
        problem = hub_problem(HUB_DATASET, repo_type="dataset")
        if problem is None:
            return _from_hub(spec)
        go_offline(hub_failure(HUB_DATASET, problem))
    return _from_folder(
        EMBEDDED_DIR / spec.name, spec, f"embedded: hfcourse's own {spec.name} set (written for this project)"
    )
