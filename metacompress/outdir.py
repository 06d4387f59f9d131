"""The report folder (``--out``): checked up front, locked while a run uses it, replaced atomically.

- ``check_out`` refuses, before anything loads, a folder that cannot be written, that holds a
  previous report (without ``--overwrite``) or that holds files which are not a report.
- ``lock_out`` holds an exclusive ``flock`` on ``.<name>.lock`` beside the folder for the whole
  run, so a second run on the same folder stops at once and names the first one's pid. The
  kernel drops the lock when its process dies, so a lock left by a killed run never blocks.
- ``publish`` writes every file into a temporary folder beside ``--out`` and renames it into
  place: readers see the previous report or the new one, never a half-written folder.

The names beside ``--out`` are ``.<name>.lock``, ``.<name>.tmp-<16 hex digits>`` (staging) and
``.<name>.old-<pid>`` (the previous report during the swap). Clean-up matches them exactly: an
``--out`` such as ``exp?``, ``v[12]`` or ``a`` never touches the files of ``exp1``, ``v1`` or
``a.tmp-b`` in the same folder.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import secrets
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from .errors import OutputError, UsageError
from .renderers import AUDIT, COMPARE
from .renderers import files as report_files

REPORT_FILES = report_files(AUDIT)  # what the renderers write (metacompress.renderers)
COMPARE_FILES = report_files(COMPARE)
STAGING_TOKEN_BYTES = 8  # 16 hex digits: hex has no 'o', 'l' or '.', so no other name of ours can end like one
#: the names metacompress gives the files beside an --out folder; a user's --out may not look like one
_OWN_NAME = re.compile(r"\..+\.(lock|old-[0-9]+|tmp-[0-9a-f]{%d})" % (2 * STAGING_TOKEN_BYTES), re.DOTALL)


def check_out(out: str, overwrite: bool, files: tuple[str, ...] | None = None) -> Path:
    """The out folder, if it can take this run's ``files`` (default: an audit's, every renderer's;
    the first marks a previous result); UsageError saying why not."""
    files = files if files is not None else report_files(AUDIT)
    if not isinstance(out, str) or not out.strip():
        raise UsageError(f"--out must name a folder, not {out!r}")
    path = Path(out)
    if path.name in ("", ".."):  # '.', '..', 'x/..': the lock and staging names need the folder's own name
        path = Path(os.path.abspath(out))
    if _OWN_NAME.fullmatch(path.name):
        raise UsageError(f"--out {out}: names like this are reserved for metacompress's lock and temporary folders; "
                         "choose another name")
    if path.exists() and not path.is_dir():
        raise UsageError(f"--out {out}: exists and is not a folder")
    if path.is_dir():
        names = sorted(p.name for p in path.iterdir())
        if files[0] in names and not overwrite:
            raise UsageError(f"--out {out}: holds a previous {files[0]}; pass --overwrite or choose another folder")
        foreign = [n for n in names if n not in files]
        if foreign:
            raise UsageError(f"--out {out}: holds files that are not part of a report ({', '.join(foreign[:3])}"
                             f"{', ...' if len(foreign) > 3 else ''}); choose a new or empty folder")
    _check_writable(out, path.absolute().parent)
    return path.resolve() if path.is_symlink() else path  # the rename must replace the folder, not the link


def _check_writable(out: str, folder: Path) -> None:
    """Create and delete a file in ``folder`` or, when it does not exist yet, its nearest ancestor."""
    existing = folder
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise UsageError(f"--out {out}: cannot be created ({existing} is a file, not a folder)")
    try:
        with tempfile.TemporaryFile(dir=existing, prefix=".metacompress-probe-"):
            pass
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot write in {existing} ({exc.strerror or exc})") from None


def lock_path(out: Path) -> Path:
    return out.absolute().parent / f".{out.name}.lock"


@contextmanager
def lock_out(out: Path) -> Iterator[None]:
    """Hold ``out`` for this process; UsageError naming the holder if another run has it."""
    path = lock_path(out)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = _acquire(path, out)
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot create its lock file {path} ({exc.strerror or exc})") from None
    try:
        _remove_leftovers(out)
        yield
    finally:
        _release(path, fd)


def _acquire(path: Path, out: Path) -> int:
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise UsageError(f"--out {out}: another metacompress run (pid {holder}) is writing this folder; "
                             "wait for it to finish or choose another --out") from None
        # The previous holder may have unlinked the file between our open and our lock: retry.
        if _same_file(fd, path):
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode("ascii"))
            return fd
        os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.stat(path).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


def _release(path: Path, fd: int) -> None:
    try:
        path.unlink()
    except OSError:
        pass
    os.close(fd)


def _remove_leftovers(out: Path) -> None:
    """Folders of a run on this very ``out`` killed while writing (we hold its lock: none is live).

    A run killed between its two renames left the previous report aside: put it back.
    Names are compared whole (never as a glob or a prefix), so other runs' folders are untouched.
    """
    asides, stagings = _leftovers(out)
    for aside in asides:
        if not out.exists():
            os.rename(aside, out)
        else:
            shutil.rmtree(aside, ignore_errors=True)
    for staging in stagings:
        shutil.rmtree(staging, ignore_errors=True)


def _leftovers(out: Path) -> tuple[list[Path], list[Path]]:
    """The set-aside and staging folders of ``out`` itself, oldest run's aside first."""
    parent = out.absolute().parent
    if not parent.is_dir():
        return [], []
    aside = re.compile(re.escape(f".{out.name}.old-") + r"([0-9]+)", re.DOTALL)
    staging = re.compile(re.escape(f".{out.name}.tmp-") + "[0-9a-f]{%d}" % (2 * STAGING_TOKEN_BYTES), re.DOTALL)
    names = sorted(os.listdir(parent))
    asides = [n for n in names if aside.fullmatch(n) and _is_folder(parent / n)]
    asides.sort(key=lambda n: int(aside.fullmatch(n).group(1)))
    stagings = [n for n in names if staging.fullmatch(n) and _is_folder(parent / n)]
    return [parent / n for n in asides], [parent / n for n in stagings]


def _is_folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def _make_staging(out: Path) -> Path:
    """A new, empty folder ``.<name>.tmp-<16 hex digits>`` beside ``out``."""
    parent = out.absolute().parent
    while True:
        staging = parent / f".{out.name}.tmp-{secrets.token_hex(STAGING_TOKEN_BYTES)}"
        try:
            staging.mkdir(mode=0o700)
            return staging
        except FileExistsError:
            continue


def publish(out: Path, write: Callable[[Path], object]) -> None:
    """Run ``write(folder)`` on a fresh folder beside ``out``, then rename it to ``out``.

    On any failure the temporary folder is removed and ``out`` is as it was; an OSError (a full
    disk, a folder made read-only meanwhile) becomes an OutputError with a one-line message.
    Call it holding ``lock_out(out)``: that lock is what tells the next run's clean-up that this
    run's staging and set-aside folders are not leftovers.
    """
    parent = out.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = _make_staging(out)
    except OSError as exc:
        raise _output_error(out, exc) from None
    try:
        os.chmod(staging, 0o755)
        write(staging)
        _swap(staging, out)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise _output_error(out, exc) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(staging: Path, out: Path) -> None:
    try:
        os.rename(staging, out)  # a new folder, or an empty one (rename replaces empty folders)
        return
    except OSError as exc:
        if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
            raise
    aside = out.absolute().parent / f".{out.name}.old-{os.getpid()}"
    os.rename(out, aside)
    try:
        os.rename(staging, out)
    except BaseException:
        os.rename(aside, out)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def _output_error(out: Path, exc: OSError) -> OutputError:
    return OutputError(f"--out {out}: cannot write the report ({exc.strerror or exc}); "
                       "the folder was left as it was before this run")
