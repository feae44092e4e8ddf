"""``save_finetuned`` writes where it is told without ever deleting what is not a model: a folder of the user's
files is refused and left as it is, a model folder saved before is replaced, a symbolic link is followed (and
kept), a file in the way is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from transformers import AutoTokenizer, BertForSequenceClassification

from hfcourse.lessons.training import save_finetuned
from hfcourse.offline.catalog import resolve_checkpoint
from tests.tiny_models import tiny_bert_config


@pytest.fixture(scope="module")
def model_and_tokenizer():
    tokenizer = AutoTokenizer.from_pretrained(resolve_checkpoint("encoder").name_or_path)
    return BertForSequenceClassification(tiny_bert_config(vocab_size=tokenizer.vocab_size)), tokenizer


def _names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_a_folder_of_the_users_files_is_refused_and_left_as_it_is(tmp_path: Path, model_and_tokenizer) -> None:
    folder = tmp_path / "my-work"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    (folder / "config.json").write_text("{}")
    with pytest.raises(FileExistsError, match=r"not a saved model \(notes.txt\); nothing was changed"):
        save_finetuned(*model_and_tokenizer, folder)
    assert _names(folder) == ["config.json", "notes.txt"] and (folder / "notes.txt").read_text() == "mine"
    assert _names(tmp_path) == ["my-work"], "nothing left beside it"


def test_a_model_folder_saved_before_is_replaced(tmp_path: Path, model_and_tokenizer) -> None:
    folder = save_finetuned(*model_and_tokenizer, tmp_path / "model")
    first = _names(folder)
    assert "model.safetensors" in first
    assert save_finetuned(*model_and_tokenizer, folder) == folder
    assert _names(folder) == first and _names(tmp_path) == ["model"]


def test_an_empty_folder_is_used(tmp_path: Path, model_and_tokenizer) -> None:
    (tmp_path / "empty").mkdir()
    assert "model.safetensors" in _names(save_finetuned(*model_and_tokenizer, tmp_path / "empty"))


def test_a_symbolic_link_is_followed_and_kept(tmp_path: Path, model_and_tokenizer) -> None:
    target = tmp_path / "elsewhere" / "model"
    target.parent.mkdir()
    link = tmp_path / "model-link"
    try:
        link.symlink_to(target, target_is_directory=True)
    except OSError as error:  # Windows without the privilege to create links
        pytest.skip(f"cannot create a symbolic link here: {error}")
    save_finetuned(*model_and_tokenizer, link)
    save_finetuned(*model_and_tokenizer, link)  # again, now that the link points at a model folder
    assert link.is_symlink() and (target / "model.safetensors").is_file()


def test_a_file_in_the_way_is_refused(tmp_path: Path, model_and_tokenizer) -> None:
    file = tmp_path / "model"
    file.write_text("not a folder")
    with pytest.raises(FileExistsError, match="is a file, not a folder"):
        save_finetuned(*model_and_tokenizer, file)
    assert file.read_text() == "not a folder"
