"""Atomic file writing and hashing used by every writer in the package."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from jtbd_methods.errors import UsageError

__all__ = [
    "OUTPUT_MARKER",
    "atomic_path",
    "atomic_write_json",
    "atomic_write_text",
    "check_separate",
    "is_inside",
    "is_own_output",
    "make_temp_dir",
    "replace_folder",
    "sha256_file",
]

#: File the package writes into every folder it creates as output; only folders holding it
#: (or nothing at all) are ever replaced or deleted.
OUTPUT_MARKER = ".jtbd-output"


@contextlib.contextmanager
def atomic_path(path: str | Path, *, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place only if the block succeeds.

    A failure (exception, Ctrl-C) removes the temporary file and leaves any existing ``path``
    untouched, so readers never see half-written output.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=suffix or path.suffix + ".tmp", dir=path.parent
    )
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if tmp_path.is_file():
            # mkstemp creates 0600 files; give the result the permissions of a normal new file
            os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


def atomic_write_text(path: str | Path, text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically and return the path."""
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding=encoding)
    return path


def atomic_write_json(path: str | Path, data: Any) -> Path:
    """Write ``data`` as indented, key-sorted JSON, atomically."""
    return atomic_write_text(
        path, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def make_temp_dir(
    *, prefix: str, suffix: str = ".tmp", dir: str | Path, marker: bool = True
) -> Path:
    """A new temporary folder in ``dir`` with the permissions of a normal new folder.

    :func:`tempfile.mkdtemp` creates folders only their owner can read (0700); a report moved
    into place from one would be closed to colleagues on a shared drive. The folder is given
    ``0777 & ~umask`` (0755 or 0775 usually) and, with ``marker``, the :data:`OUTPUT_MARKER`
    that lets a later run recognise it as its own.
    """
    path = Path(tempfile.mkdtemp(prefix=prefix, suffix=suffix, dir=dir))
    os.chmod(path, 0o777 & ~_umask())
    if marker:
        (path / OUTPUT_MARKER).write_text(
            "Written by jtbd_methods; the next run may replace this folder.\n", encoding="utf-8"
        )
    return path


def is_own_output(folder: str | Path) -> bool:
    """Whether ``folder`` is empty or was written by this package (holds :data:`OUTPUT_MARKER`)."""
    folder = Path(folder)
    if folder.is_symlink() or not folder.is_dir():
        return False
    return (folder / OUTPUT_MARKER).is_file() or not any(folder.iterdir())


def is_inside(path: str | Path, root: str | Path) -> bool:
    """Whether ``path``, with every link followed, lies inside the folder ``root``."""
    return Path(path).resolve().is_relative_to(Path(root).resolve())


def check_separate(
    out: str | Path, inputs: dict[str, str | Path], *, option: str = "--out"
) -> None:
    """Refuse an output folder that is, contains or lies inside one of the ``inputs``.

    Parameters
    ----------
    out : str or Path
        The output folder (need not exist).
    inputs : dict
        Description (``"the study folder"``) to path of each input the output must not touch.
    option : str
        How the user named the output (in the message).

    Raises
    ------
    UsageError
        Naming both paths.
    """
    target = Path(out).resolve()
    for what, path in inputs.items():
        source = Path(path).resolve()
        if target == source:
            relation = "is"
        elif target.is_relative_to(source):
            relation = "lies inside"
        elif source.is_relative_to(target):
            relation = "contains"
        else:
            continue
        raise UsageError(
            f"{option} {target} {relation} {what} {source}; choose an output folder outside it "
            "(outputs never share a folder with their inputs)"
        )


def replace_folder(
    new: str | Path,
    target: str | Path,
    *,
    is_ours: Callable[[Path], bool] = is_own_output,
) -> Path:
    """Move the finished folder ``new`` to ``target``, replacing a folder of ours already there.

    The old folder is first renamed aside (a rename within one file system is atomic), so
    ``target`` is always either the complete old folder or the complete new one; the old copy
    is deleted afterwards. Only a folder that ``is_ours`` recognises (by default an empty
    folder or one holding :data:`OUTPUT_MARKER`) is ever replaced.

    Raises
    ------
    UsageError
        When ``target`` exists and is a file, a link or a folder the package did not write.
    """
    import shutil
    import uuid

    new, target = Path(new), Path(target)
    old = None
    if target.exists() or target.is_symlink():
        if target.is_symlink() or not target.is_dir() or not is_ours(target):
            raise UsageError(
                f"{target} already exists and was not written by jtbd; it is left untouched "
                "(move it away or choose another output folder)"
            )
        old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:6]}")
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return target


def sha256_file(path: str | Path, *, chunk: int = 1 << 20) -> str:
    """SHA-256 hex digest of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()
