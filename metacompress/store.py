"""A persistent store of model outputs, so a teacher is computed once and an interrupted run resumes.

One SQLite file (stdlib ``sqlite3``, WAL journal) holds every output a model gave, keyed by what
determines it:

- the model (``models``): the weight fingerprint, the preprocessing fingerprint (tokenizer,
  encoder config, the loader's preprocessing: ``ModelInfo.preprocessing_fingerprint``), the
  precision (fp32/fp16/bf16) and the device kind (cpu, cuda, mps). The device kind is part of the
  key because CPU and CUDA fp32 differ in the last digits (about 1e-6): an audit on a GPU never
  takes its figures from a CPU run, or the other way round. Batch size is not: within one device
  and precision it moves probabilities by less than 1e-6 (``tests/test_inference.py``). The
  key also holds ``INFERENCE_VERSION``, the version of the code that turns inputs into outputs,
  so a fix to inference, a head or preprocessing never reuses what the old code computed;
- the exact model input (``outputs.input``): a 128-bit BLAKE2b hash of the snippet, or of the
  (first, second) pair.

A value is the float64 probabilities in the model's own label order, the truncation flag and the
token digest, i.e. everything ``inference.predict_proba`` reports per input. ``predict_with_store``
looks every input up first, runs the model on the missing ones only and writes each finished
batch in its own transaction, so a crash (SIGKILL included) loses at most the batch in flight and
re-running the same command resumes from what was saved. A model without a preprocessing
fingerprint (a plugin loader that does not set one) is never stored. In a sharded run the main
process alone reads and writes the store (``predict_with_store``).

Outputs are filed under a 128-bit hash of the whole model key (``ModelKey.digest``), never under
a row number: no deletion, reuse of a number or concurrent ``cache prune`` can file one model's
outputs under another, and a batch written after a prune removed its model puts the model back
first. Every value read is checked (a float64 blob of the model's label count, finite
probabilities summing to 1); one that is not is treated as missing, computed again and replaced.
"""

from __future__ import annotations

import hashlib
import math
import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

import numpy as np

from .errors import InputError, UsageError

if TYPE_CHECKING:
    from .distributed import Team
    from .inference import InferenceSettings, Predictions
    from .models.base import CodeClassifier

SCHEMA_VERSION = 2
# The version of the code that turns model inputs into outputs: bump it when inference, heads or
# preprocessing change, so that no output the old code computed is reused (`cache prune --stale`).
INFERENCE_VERSION = 1
FILE_NAME = "predictions.sqlite"
BUSY_TIMEOUT_S = 30.0  # how long to wait for another process's write before calling the store locked
LOOKUP_CHUNK = 500  # keys per SELECT (SQLite allows 999 parameters in old builds)
SECONDS_PER_DAY = 86400

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS models (
    key BLOB PRIMARY KEY,
    weights TEXT NOT NULL,
    preprocessing TEXT NOT NULL,
    precision TEXT NOT NULL,
    device TEXT NOT NULL,
    code INTEGER NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL,
    last_used REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outputs (
    model BLOB NOT NULL,
    input BLOB NOT NULL,
    probs BLOB NOT NULL,
    truncated INTEGER NOT NULL,
    digest BLOB NOT NULL,
    PRIMARY KEY (model, input)
) WITHOUT ROWID;
"""


def default_path() -> Path:
    """``$XDG_CACHE_HOME/metacompress/predictions.sqlite``, else ``~/.cache/metacompress/...``."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    return root / "metacompress" / FILE_NAME


@dataclass(frozen=True)
class ModelKey:
    """Everything besides the input that determines a model's outputs."""

    weights: str
    preprocessing: str
    precision: str
    device: str  # the device kind: cpu, cuda or mps (not the index: two GPUs of a kind agree)
    code: int = INFERENCE_VERSION

    def digest(self) -> bytes:
        """128-bit hash of every field: the model column of its outputs."""
        fields = (self.weights, self.preprocessing, self.precision, self.device, str(self.code))
        digest = hashlib.blake2b(digest_size=16)
        for text in fields:
            encoded = text.encode("utf-8", "surrogatepass")
            digest.update(b"%d:" % len(encoded))
            digest.update(encoded)
        return digest.digest()


@dataclass(frozen=True)
class StoredModel:
    """A model registered in the store (``PredictionStore.model_id``): what its outputs are filed under."""

    key: ModelKey
    source: str
    id: bytes


def model_key(model: "CodeClassifier", precision: str, device_kind: str) -> ModelKey | None:
    """The model's store key, or None when the model does not say what its preprocessing is."""
    info = model.info
    if not info.fingerprint or not getattr(info, "preprocessing_fingerprint", ""):
        return None
    return ModelKey(info.fingerprint, info.preprocessing_fingerprint, precision, device_kind, INFERENCE_VERSION)


def input_key(item: str | tuple[str, str]) -> bytes:
    """128-bit hash of one model input; a pair is hashed with its parts' lengths, so no two collide by concatenation."""
    digest = hashlib.blake2b(digest_size=16)
    if isinstance(item, str):
        digest.update(b"s")
        digest.update(item.encode("utf-8", "surrogatepass"))
    else:
        first, second = (part.encode("utf-8", "surrogatepass") for part in item)
        digest.update(b"p%d:%d:" % (len(first), len(second)))
        digest.update(first)
        digest.update(second)
    return digest.digest()


@dataclass
class StoredOutput:
    probs: np.ndarray  # float64, the model's label order
    truncated: bool
    digest: int  # uint64 token digest


@dataclass
class ModelEntry:
    """One model (weights + preprocessing + precision + device) in ``cache info``."""

    weights: str
    preprocessing: str
    precision: str
    device: str
    source: str
    entries: int
    last_used: float  # 0.0 when the stored time is unreadable
    code: int | None = INFERENCE_VERSION  # None when the stored version is unreadable

    @property
    def stale(self) -> bool:
        """Computed by another version of the inference code: never reused."""
        return self.code != INFERENCE_VERSION


@dataclass
class StoreInfo:
    path: Path
    size_bytes: int
    models: list[ModelEntry] = field(default_factory=list)

    @property
    def entries(self) -> int:
        return sum(m.entries for m in self.models)

    @property
    def stale_models(self) -> list[ModelEntry]:
        return [m for m in self.models if m.stale]


class PredictionStore:
    """An open store file; ``open_store`` makes one. Use as a context manager or ``close()`` it."""

    def __init__(self, path: str | os.PathLike, *, create: bool = True):
        self.path = Path(path).expanduser()
        if not create and not self.path.is_file():
            raise InputError(f"{self.path}: no prediction store here")
        if self.path.exists() and not self.path.is_file():
            raise UsageError(f"--cache {self.path}: is a folder, not a prediction store file")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"--cache {self.path}: cannot create its folder ({exc.strerror or exc})") from None
        self._connection = None
        try:
            with self._errors():
                self._connection = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
                self._open(create)
        except BaseException:
            self.close()
            raise

    # ---- lifecycle -------------------------------------------------------------------------------

    def _open(self, create: bool) -> None:
        """Check the file is a store of this schema; make it one if it is new and ``create``.
        Without ``create`` nothing is written before the file is known to be a store."""
        connection = self._connection
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if (tables or not create) and not {"meta", "models", "outputs"} <= tables:
            raise InputError(f"{self.path}: an SQLite file, but not a metacompress prediction store "
                             "(delete it or choose another --cache)")
        self._check_schema_version(tables)
        self._use_write_ahead_log()
        connection.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: a committed batch survives a process crash
        if not tables:
            with self._transaction():
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        connection.execute(statement)
                connection.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            self._check_schema_version({"meta"})

    def _check_schema_version(self, tables: set[str]) -> None:
        if "meta" not in tables:
            return
        version = self._connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if version is None or str(version[0]) != str(SCHEMA_VERSION):
            raise InputError(f"{self.path}: a prediction store of another metacompress version "
                             f"(schema {version[0] if version else 'unknown'}, this one reads {SCHEMA_VERSION}); "
                             "delete it or choose another --cache")

    def check_writable(self) -> None:
        """Take the write lock and give it back at once: a store another process keeps locked is
        an error now (after ``BUSY_TIMEOUT_S``), before a run loads any data or model."""
        with self._errors(), self._transaction():
            pass

    def _use_write_ahead_log(self) -> None:
        """Switch the file to WAL once. SQLite answers "locked" at once, without waiting, when
        another process holds the file while it switches (two runs creating one store together),
        so the switch is retried until the other has finished or ``BUSY_TIMEOUT_S`` is up."""
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        pause = 0.01
        while True:
            try:
                mode = self._connection.execute("PRAGMA journal_mode").fetchone()[0]
                if mode.lower() != "wal":
                    self._connection.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() + pause > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.5)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> "PredictionStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _errors(self):
        return _StoreErrors(self.path)

    def _transaction(self):
        return _Transaction(self._connection)

    # ---- outputs ---------------------------------------------------------------------------------

    def model_id(self, key: ModelKey, source: str = "") -> StoredModel:
        """The model as registered (created on first use); marks it used now."""
        model = StoredModel(key, source, key.digest())
        with self._errors(), self._transaction():
            self._register(model)
        return model

    def _register(self, model: StoredModel) -> None:
        now = time.time()
        key = model.key
        self._connection.execute(
            "INSERT INTO models (key, weights, preprocessing, precision, device, code, source, created, last_used) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) "
            "DO UPDATE SET weights = excluded.weights, preprocessing = excluded.preprocessing, "
            "precision = excluded.precision, device = excluded.device, code = excluded.code, "
            "source = excluded.source, last_used = excluded.last_used",
            (model.id, key.weights, key.preprocessing, key.precision, key.device, key.code, model.source, now, now))

    def lookup(self, model: StoredModel, keys: Sequence[bytes], width: int | None = None) -> dict[bytes, StoredOutput]:
        """The stored outputs of ``model`` among ``keys`` that pass ``usable_output`` (``width``:
        the model's label count, when known)."""
        return self.read(model, keys, width)[0]

    def read(self, model: StoredModel, keys: Sequence[bytes],
             width: int | None = None) -> tuple[dict[bytes, StoredOutput], int]:
        """(the usable stored outputs of ``model`` among ``keys``, how many stored ones were unusable)."""
        found: dict[bytes, StoredOutput] = {}
        rejected = 0
        with self._errors():
            for start in range(0, len(keys), LOOKUP_CHUNK):
                chunk = list(keys[start : start + LOOKUP_CHUNK])
                marks = ",".join("?" * len(chunk))
                for key, probs, truncated, digest in self._connection.execute(
                        f"SELECT input, probs, truncated, digest FROM outputs WHERE model = ? AND input IN ({marks})",
                        [model.id, *chunk]):
                    output = usable_output(probs, truncated, digest, width)
                    if output is None:
                        rejected += 1
                    else:
                        found[bytes(key)] = output
        return found, rejected

    def write(self, model: StoredModel, rows: Iterable[tuple[bytes, np.ndarray, bool, int]]) -> None:
        """Save (input key, probabilities, truncated, digest) rows in one transaction, with the
        model's own entry (a prune may have removed it since ``model_id``). Rows that would not
        pass ``usable_output`` are not saved."""
        values = []
        for key, probs, truncated, digest in rows:
            blob, digest_bytes = np.asarray(probs, dtype="<f8").tobytes(), int(digest).to_bytes(8, "little")
            if usable_output(blob, int(bool(truncated)), digest_bytes, None) is not None:
                values.append((model.id, key, blob, int(bool(truncated)), digest_bytes))
        with self._errors(), self._transaction():
            self._register(model)
            self._connection.executemany("INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?)", values)

    def count(self) -> int:
        with self._errors():
            return int(self._connection.execute("SELECT COUNT(*) FROM outputs").fetchone()[0])

    # ---- cache info / prune ----------------------------------------------------------------------

    def info(self) -> StoreInfo:
        with self._errors():
            rows = self._connection.execute(
                "SELECT m.weights, m.preprocessing, m.precision, m.device, m.source, "
                "(SELECT COUNT(*) FROM outputs o WHERE o.model = m.key), m.last_used, m.code FROM models m "
                "ORDER BY m.last_used DESC").fetchall()
        return StoreInfo(self.path, _file_size(self.path), [_model_entry(row) for row in rows])

    def prune(self, *, model: str | None = None, older_than_days: float | None = None, stale: bool = False,
              everything: bool = False) -> tuple[int, int]:
        """Remove the models matching every condition given (all of them with ``everything``), with
        their outputs; (models removed, outputs removed). ``model`` is a weight fingerprint or a
        prefix of it (at least ``MIN_PREFIX`` hex digits), with or without ``sha256:``; ``stale``:
        the models computed by another ``INFERENCE_VERSION``."""
        conditions, values = prune_conditions(model, older_than_days, stale)
        if not conditions and not everything:
            raise UsageError("cache prune: say what to remove: --model FINGERPRINT, --older-than DAYS, "
                             "--stale or --all")
        with self._errors():
            with self._transaction():
                ids, removed = self._delete(conditions, values)
            if ids:
                self._connection.execute("VACUUM")
                self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return len(ids), removed

    def _delete(self, conditions: list[str], values: list) -> tuple[list, int]:
        """Delete the models matching ``conditions`` (every model and output without any)."""
        if not conditions:
            ids = [row[0] for row in self._connection.execute("SELECT key FROM models")]
            removed = self._connection.execute("DELETE FROM outputs").rowcount
            self._connection.execute("DELETE FROM models")
            return ids, removed
        where = " AND ".join(conditions)
        ids = [row[0] for row in self._connection.execute(f"SELECT key FROM models WHERE {where}", values)]
        removed = 0
        for model_id in ids:
            removed += self._connection.execute("DELETE FROM outputs WHERE model = ?", (model_id,)).rowcount
            self._connection.execute("DELETE FROM models WHERE key = ?", (model_id,))
        return ids, removed


MIN_PREFIX = 4  # hex digits of a fingerprint `cache prune --model` needs: an empty one would match every model
PROBABILITY_SLACK = 1e-3  # how far from 1 a stored output's probabilities may sum (softmax in fp16 included)


def usable_output(probs, truncated, digest, width: int | None) -> StoredOutput | None:
    """A stored row as an output, or None when it is not one this code could have written: probs
    not a float64 blob (of ``width`` values, when given), not finite probabilities summing to 1,
    or a digest that is not 8 bytes."""
    if not isinstance(probs, bytes) or not probs or len(probs) % 8:
        return None
    if width is not None and len(probs) != 8 * width:
        return None
    if not isinstance(digest, bytes) or len(digest) != 8 or truncated not in (0, 1):
        return None
    values = np.frombuffer(probs, dtype="<f8").astype(np.float64)
    if not np.all(np.isfinite(values)) or values.min() < 0 or abs(values.sum() - 1) > PROBABILITY_SLACK:
        return None
    return StoredOutput(values, bool(truncated), int.from_bytes(digest, "little"))


def prune_conditions(model: str | None, older_than_days: float | None, stale: bool) -> tuple[list[str], list]:
    """The SQL conditions on ``models`` of a prune, and their values; a UsageError for a condition
    that is not one (an empty or non-hex fingerprint, a number of days that is not finite)."""
    conditions, values = [], []
    if model is not None:
        prefix = "sha256:" + _fingerprint_prefix(model)
        conditions.append("substr(weights, 1, ?) = ?")
        values += [len(prefix), prefix]
    if older_than_days is not None:
        conditions.append("last_used < ?")
        values.append(time.time() - _days(older_than_days) * SECONDS_PER_DAY)
    if stale:
        conditions.append("code IS NOT ?")
        values.append(INFERENCE_VERSION)
    return conditions, values


def _fingerprint_prefix(model: str) -> str:
    prefix = model.strip().lower().removeprefix("sha256:")
    if len(prefix) < MIN_PREFIX or any(c not in "0123456789abcdef" for c in prefix):
        raise UsageError(f"cache prune --model {model!r}: not a weight fingerprint; give at least {MIN_PREFIX} "
                         "of its hex digits, as `cache info` shows them")
    return prefix


def _days(days: float) -> float:
    if not isinstance(days, (int, float)) or not math.isfinite(days) or days < 0:
        raise UsageError(f"cache prune --older-than {days!r}: not a number of days (a finite number, 0 or more)")
    return float(days)


def _model_entry(row: tuple) -> ModelEntry:
    """One row of ``models`` as ``cache info`` shows it, whatever a damaged row holds."""
    weights, preprocessing, precision, device, source, entries, last_used, code = row
    used = float(last_used) if isinstance(last_used, (int, float)) and math.isfinite(last_used) else 0.0
    return ModelEntry(_text(weights), _text(preprocessing), _text(precision), _text(device), _text(source),
                      int(entries), used, code if isinstance(code, int) else None)


def _text(value) -> str:
    if isinstance(value, bytes):
        return value.hex()
    return "" if value is None else str(value)


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception (Ctrl-C included)."""

    def __init__(self, connection):
        self.connection = connection

    def __enter__(self):
        self.connection.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.connection.execute("COMMIT")
        else:
            self.connection.execute("ROLLBACK")


class _StoreErrors:
    """sqlite3 errors as one-line messages naming the store file."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None or not issubclass(kind, sqlite3.Error):
            return
        text = str(value)
        if _is_busy(value):
            raise UsageError(f"{self.path}: the prediction store is locked by another process (waited "
                             f"{BUSY_TIMEOUT_S:g} s); wait for it, or use --cache OTHER_FILE or --no-cache") from None
        if isinstance(value, sqlite3.DatabaseError) and ("not a database" in text or "malformed" in text
                                                         or "encrypted" in text):
            raise InputError(f"{self.path}: not a usable prediction store ({text}); delete it or choose another --cache") from None
        if isinstance(value, sqlite3.OperationalError):
            raise UsageError(f"{self.path}: cannot use the prediction store ({text})") from None
        raise InputError(f"{self.path}: prediction store error ({text})") from None


def _is_busy(error: sqlite3.Error) -> bool:
    text = str(error)
    return "locked" in text or "busy" in text


def _file_size(path: Path) -> int:
    """The store's bytes on disk, its write-ahead log included."""
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.is_file())


def open_store(cache: str | None, no_cache: bool) -> PredictionStore | None:
    """The store a run uses: none with ``no_cache``, else ``cache`` or the default file, checked
    to be writable now (``PredictionStore.check_writable``)."""
    if no_cache:
        return None
    store = PredictionStore(cache if cache else default_path())
    try:
        store.check_writable()
    except BaseException:
        store.close()
        raise
    return store


# ---- inference through the store -----------------------------------------------------------------


@dataclass
class StoreCounts:
    """Distinct model inputs of one call: taken from the store, and computed by the model."""

    from_store: int = 0
    computed: int = 0
    rejected: int = 0  # stored outputs found unusable (``usable_output``), computed again (among ``computed``)


def predict_with_store(model: "CodeClassifier", inputs: Sequence[str] | Sequence[tuple[str, str]],
                       settings: "InferenceSettings", store: PredictionStore | None,
                       *, here: bool = False, team: "Team | None" = None) -> tuple["Predictions", StoreCounts]:
    """``inference.predict_proba`` that takes what ``store`` holds and saves what it computes: a
    ``StoredPredictor`` built for one call. ``here``: this process alone; otherwise the processes
    of ``team`` (default: this run's) share the call."""
    return stored_predictor(model, settings, store, None if here else team or _this_runs_team()).predict(inputs)


def stored_predictor(model: "CodeClassifier", settings: "InferenceSettings", store: PredictionStore | None,
                     team: "Team | None") -> "StoredPredictor":
    """The prediction path of one model: its forward passes, sharded over ``team`` (None: this
    process alone), behind ``store``."""
    from .distributed import ShardedPredictor
    from .inference import Predictor

    inner = Predictor(model, settings) if team is None else ShardedPredictor(model, settings, team)
    return StoredPredictor(inner, store, team)


def _this_runs_team() -> "Team":
    from .distributed import current_team

    return current_team()


@dataclass(frozen=True)
class StoredPredictor:
    """A predictor (``inference.Predictor``, ``distributed.ShardedPredictor``) behind the store.

    Results are the stored values for inputs found, and for the others the values handed to the
    store batch by batch, so a warm, a cold and a resumed run agree exactly.

    With a ``team`` (a sharded run, ``metacompress.distributed``) the main process alone holds the
    store (the others pass None): it looks the inputs up and shares what it found, every process
    takes its batches of the missing inputs, and the main process writes each finished batch as
    the results are gathered, round by round, in the plan's order. One writer keeps the store free
    of lock contention, and what it writes, batch by batch, is what one process would write, so
    a crash loses at most the round in flight and a sharded and a single run give the same
    outputs. The figures returned are the main process's (the ones reported).

    Without one, this process alone, with its own ``store`` (an attack's search, where each
    process searches its own inputs; SQLite lets the processes' connections write in turn).
    """

    inner: Any  # anything with predict(inputs, on_batch) -> Predictions, and .model, .settings
    store: PredictionStore | None
    team: "Team | None" = None

    def predict(self, inputs: Sequence[str] | Sequence[tuple[str, str]]) -> tuple["Predictions", StoreCounts]:
        from .inference import Predictions, resolve_device

        model, settings, store = self.inner.model, self.inner.settings, self.store
        items = list(inputs)
        keys = [input_key(item) for item in items]
        if self.team is None:
            looked_up = _look_up(model, keys, settings, store)
        else:
            looked_up = self.team.from_main(lambda: _look_up(model, keys, settings, store))
        if looked_up is None:
            predicted = self.inner.predict(items)
            return predicted, StoreCounts(0, len(set(map(_hashable, items))))
        model_row, found, rejected = looked_up
        start = time.perf_counter()
        first_of = {k: i for i, k in reversed(list(enumerate(keys)))}
        missing = [k for k in dict.fromkeys(keys) if k not in found]
        computed: dict[bytes, StoredOutput] = {}
        failed_keys: dict[bytes, str] = {}
        distinct_sequences = 0
        device_name = None
        if missing:

            def save(done) -> None:
                rows = [(missing[i], p, t, d)
                        for i, p, t, d in zip(done.indices.tolist(), done.probs, done.truncated, done.digests)]
                store.write(model_row, rows)
                for k, p, t, d in rows:
                    computed[k] = StoredOutput(p, bool(t), int(d))

            predicted = self.inner.predict([items[first_of[k]] for k in missing],
                                           on_batch=save if store is not None else None)
            distinct_sequences, device_name = predicted.distinct_sequences, predicted.device
            failed_keys = {missing[i]: why for i, why in predicted.failed.items()}
            for i, k in enumerate(missing):  # failed inputs (NaN, not stored); on the other processes, all
                computed.setdefault(k, StoredOutput(predicted.probs[i], bool(predicted.truncated[i]),
                                                    int(predicted.digests[i])))
        outputs = {**found, **computed}
        labels = len(model.info.labels)
        probs = np.empty((len(items), labels), dtype=np.float64)
        truncated = np.zeros(len(items), dtype=bool)
        digests = np.zeros(len(items), dtype=np.uint64)
        failed: dict[int, str] = {}
        for i, k in enumerate(keys):
            out = outputs[k]
            probs[i], truncated[i], digests[i] = out.probs, out.truncated, out.digest
            if k in failed_keys:
                failed[i] = failed_keys[k]
        result = Predictions(probs, truncated, distinct_sequences, time.perf_counter() - start,
                             device_name or _device_name(resolve_device(settings.device)), digests, failed)
        return result, StoreCounts(len(found), len(missing), rejected)


def _look_up(model: "CodeClassifier", keys: list[bytes], settings: "InferenceSettings",
             store: PredictionStore | None) -> tuple[StoredModel, dict[bytes, StoredOutput], int] | None:
    """(the model as registered, its usable stored outputs among ``keys``, how many stored ones
    were unusable), or None when nothing is stored for this model (no store, or a model that does
    not say what its preprocessing is)."""
    if store is None:
        return None
    from .inference import resolve_device

    key = model_key(model, settings.precision, resolve_device(settings.device).type)
    if key is None:
        return None
    model_row = store.model_id(key, model.info.source)
    found, rejected = store.read(model_row, list(dict.fromkeys(keys)), len(model.info.labels))
    return model_row, found, rejected


def _hashable(item):
    return item if isinstance(item, str) else tuple(item)


def _device_name(device) -> str:
    from .inference import _device_name as name

    return name(device)
