"""fankui (反馈): mine Chinese customer feedback, from Python.

A thin layer over the Rust core: the same pipeline and the same results as the
``fankui`` command line, with the GIL released during every batch call.

>>> import fankui
>>> analyzer = fankui.Analyzer()
>>> [r["sentiment"]["label"] for r in analyzer.score(["薯条有股怪味", "送餐很快，服务很好"])]
['negative', 'positive']

Errors are ``fankui.FankuiError`` or one of its subclasses: ``RuntimeNotFound``
(ONNX Runtime missing), ``ModelError`` (model directory missing or broken),
``InputError`` (bad input), ``ConfigError`` (bad option), ``StateError``
(unusable issue-state file).

No input is dropped or altered without a trace: ``score`` gives one result per item, a
``{"error": ...}`` row for an item that is not a valid text (None, NaN, a number, bytes, a
``str`` with a lone surrogate) or cannot be analyzed; ``embed`` raises ``InputError`` naming the
index of the first bad item; ``detect_issues`` returns an :class:`Issues` list whose ``errors``
name every record that was not used, and warns (or raises, with ``errors="raise"``) when there
are any.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import warnings
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

from . import _fankui
from ._fankui import (
    ConfigError,
    FankuiError,
    InputError,
    ModelError,
    RuntimeNotFound,
    StateError,
)

__all__ = [
    "Analyzer",
    "detect_issues",
    "report",
    "Issues",
    "SkippedRecordsWarning",
    "FankuiError",
    "RuntimeNotFound",
    "ModelError",
    "InputError",
    "ConfigError",
    "StateError",
    "bundled_model_dir",
    "onnxruntime_library",
]
__version__ = _fankui.__version__

_HERE = os.path.dirname(os.path.abspath(__file__))


class SkippedRecordsWarning(UserWarning):
    """``detect_issues`` could not use some records (bad time, no text, not a mapping, ...);
    the returned :class:`Issues` lists them in ``errors``. Pass ``errors="ignore"`` to silence
    it or ``errors="raise"`` to make it an ``InputError``."""


class Issues(list):
    """What ``detect_issues`` returns: the issues (dicts, most severe first; it *is* a list, so
    code that expects a list keeps working) and what became of the input.

    Attributes:
        errors: one ``{"id": ..., "error": reason}`` per record that was not used, worded as the
            CLI's ``skipped record`` lines; ``id`` is the record's id as a string (as in the issues'
            ``record_ids``), or its 1-based position when it has none. Records refused before
            analysis (not a mapping, bad or missing time, no text, NaN text, lone surrogate) come
            first, in input order, then those the pipeline refused (text too long).
        records: records given.
        junk: records flagged as junk (read, but not counted in issues).
        windows: time windows processed.
        already_processed: records whose window an earlier run (the ``state`` file) had already
            processed; they are not counted again.
        saved: whether the ``state`` file was written.
        tickets: the tickets written to the ``tickets`` file (dicts, as its lines), or ``[]``.
    """

    def __init__(self, issues: Iterable[Dict[str, Any]] = (), errors: Iterable[Dict[str, Any]] = (),
                 records: int = 0, junk: int = 0, windows: int = 0, already_processed: int = 0,
                 saved: bool = False) -> None:
        super().__init__(issues)
        self.errors: List[Dict[str, Any]] = list(errors)
        self.tickets: List[Dict[str, Any]] = []
        self.records = records
        self.junk = junk
        self.windows = windows
        self.already_processed = already_processed
        self.saved = saved

    @property
    def issues(self) -> List[Dict[str, Any]]:
        """The issues as a plain list."""
        return list(self)


def bundled_model_dir() -> str:
    """The default model shipped inside the package."""
    return os.path.join(_HERE, "model")


def onnxruntime_library() -> Optional[str]:
    """Directory of the ``onnxruntime`` package's shared library, without importing it."""
    spec = importlib.util.find_spec("onnxruntime")
    if spec is None or not spec.submodule_search_locations:
        return None
    capi = os.path.join(list(spec.submodule_search_locations)[0], "capi")
    return capi if os.path.isdir(capi) else None


def _config(model: Optional[str], threads: Optional[int], voice: bool,
            custom_topics: Optional[Mapping[str, Sequence[str]]], scoring: bool,
            config: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    cfg: Dict[str, Any] = json.loads(json.dumps(dict(config))) if config else {}
    cfg["voice_mode"] = bool(voice) or bool(cfg.get("voice_mode", False))
    cfg["scoring"] = bool(scoring)
    classify = cfg.setdefault("classify", {})
    model_opts = classify.setdefault("model", {})
    if model is not None:
        model_opts["dir"] = os.fspath(model)
    elif not model_opts.get("dir") and not os.environ.get("FANKUI_MODEL_DIR"):
        model_opts["dir"] = bundled_model_dir()
    if not model_opts.get("runtime") and not os.environ.get("ORT_DYLIB_PATH"):
        lib = onnxruntime_library()
        if lib is not None:
            model_opts["runtime"] = lib
    if threads is not None:
        if threads < 1:
            raise ConfigError("threads must be at least 1")
        model_opts["sessions"] = int(threads)
    if custom_topics:
        topics = classify.setdefault("custom_topics", {})
        for name, examples in custom_topics.items():
            if isinstance(examples, str) or not all(isinstance(e, str) for e in examples):
                raise ConfigError(f"custom topic {name!r}: give a list of example phrases")
            topics[str(name)] = list(examples)
    return cfg


class Analyzer:
    """The whole fankui pipeline: normalization, clauses, keywords, quality, sentiment and topics.

    Args:
        model: model directory (``model.onnx``, ``tokenizer.json``, ``labels.json``, and ``first_layer.bin`` when the graph takes it), or ``"accurate"`` for the accurate model of a source build (slower; the wheel carries the default model only); default: the bundled model.
        threads: ONNX Runtime sessions to run in parallel (default: one per core).
        voice: treat every text as a voice transcript (fillers removed, run-on text split).
        custom_topics: extra topics from example phrases, e.g. ``{"新品反馈": ["新出的鸡腿堡", "新品好吃吗"]}``.
        scoring: run the model (default True); False gives the text stages only.
        config: a full pipeline configuration (the JSON form of the Rust ``PipelineConfig``).

    An ``Analyzer`` is safe to share between threads. It pickles by rebuilding from the arguments it was
    given (the model is loaded again on unpickling); what was left to defaults (the bundled model, the
    ``onnxruntime`` package's library, ``FANKUI_MODEL_DIR``, ``ORT_DYLIB_PATH``) is looked up again in the
    unpickling process, so it can be shipped to Spark executors installed at other paths.

    >>> a = Analyzer(custom_topics={"新品反馈": ["新出的鸡腿堡", "新品好吃吗"]})
    >>> a.score(["新出的藤椒鸡腿堡太好吃了"])[0]["topics"][0]["label"]  # doctest: +SKIP
    '新品反馈'
    """

    def __init__(self, model: Optional[str] = None, threads: Optional[int] = None, voice: bool = False,
                 custom_topics: Optional[Mapping[str, Sequence[str]]] = None, scoring: bool = True,
                 config: Optional[Mapping[str, Any]] = None) -> None:
        self._config = _config(model, threads, voice, custom_topics, scoring, config)
        self._inner = _fankui.Analyzer(json.dumps(self._config, ensure_ascii=False))
        # What the caller asked for, before defaults were resolved: pickling ships this, so
        # the bundled model and onnxruntime's library are found again wherever it is unpickled.
        self._args: Dict[str, Any] = {
            "model": None if model is None else os.fspath(model),
            "threads": threads,
            "voice": bool(voice),
            "custom_topics": {str(k): list(v) for k, v in custom_topics.items()} if custom_topics else None,
            "scoring": bool(scoring),
            "config": json.loads(json.dumps(dict(config))) if config else None,
        }

    @property
    def config(self) -> Dict[str, Any]:
        """The effective configuration (JSON-compatible dict)."""
        return json.loads(self._inner.config_json())

    def __getstate__(self) -> Dict[str, Any]:
        return {"args": self._args}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        if "args" not in state:
            raise FankuiError("cannot unpickle this Analyzer: it was pickled by another fankui version")
        self.__init__(**state["args"])  # type: ignore[misc]

    def __repr__(self) -> str:
        model = self._config.get("classify", {}).get("model", {}).get("dir")
        return f"fankui.Analyzer(model={model!r}, scoring={self._config.get('scoring')})"

    def score(self, texts: Sequence[str], voice: bool = False, embeddings: bool = False) -> List[Dict[str, Any]]:
        """Scores texts; one dict per item, in order, with the fields of ``fankui score``
        (``text``, ``clauses``, ``keywords``, ``quality``, ``sentiment``, ``topics``).

        An item that is not a valid text (None, NaN, a number, ``bytes``, a ``str`` holding a lone
        surrogate, which is not valid Unicode) or cannot be analyzed (over ``max_chars``) gives
        ``{"error": reason}`` in its place, e.g. ``{"error": "text 1 is None, not a string"}``: the
        result always has one entry per input item.

        >>> Analyzer(scoring=False).score(["好吃", None])[1]  # doctest: +SKIP
        {'error': 'text 1 is None, not a string'}

        Raises:
            InputError: when ``texts`` is not a list of texts: a single string, bytes, a dict (its
                keys would be scored), a set (no order), a DataFrame (use ``score_frame``).
        """
        texts = _text_list(texts)
        return json.loads(self._inner.score_json(texts, [bool(voice)] * len(texts), embeddings))

    def score_records(self, records: Iterable[Mapping[str, Any]], text_field: str = "text", id_field: str = "id",
                      source_field: str = "source", embeddings: bool = False) -> List[Dict[str, Any]]:
        """Scores records like ``fankui score`` does: one output dict per record, in order,
        ``{"id": ..., <other fields>, <analysis>}``; a record without a usable text (missing,
        None, NaN, not a string, a lone surrogate) gives ``{"id": ..., "error": reason}``
        (records without an id, or with a None/NaN one, get their 1-based position). Other fields
        pass through, except that NaN and ±inf (pandas' missing values) become None, as in JSON."""
        if isinstance(records, (str, bytes, bytearray, Mapping)):
            raise InputError(f"give a list of records (mappings), not {_a(records)}")
        out: List[Optional[Dict[str, Any]]] = []
        texts: List[str] = []
        voice: List[bool] = []
        slots: List[tuple] = []
        for i, rec in enumerate(records, start=1):
            if not isinstance(rec, Mapping):
                out.append({"id": i, "error": "record is not a mapping"})
                continue
            rid = rec.get(id_field)
            rid = i if _is_missing(rid) else rid
            text = rec.get(text_field, _MISSING)
            if text is _MISSING:
                out.append({"id": rid, "error": f"missing field `{text_field}`"})
            elif text is None:
                out.append({"id": rid, "error": f"field `{text_field}` is null"})
            elif _is_missing(text):
                out.append({"id": rid, "error": f"field `{text_field}` is {_missing_name(text)} (a missing value), not a string"})
            elif not isinstance(text, str):
                out.append({"id": rid, "error": f"field `{text_field}` is not a string but {_kind(text)}"})
            else:
                extra = {k: _finite_or_none(v) for k, v in rec.items() if k not in (id_field, text_field)}
                slots.append((len(out), rid, extra))
                out.append(None)
                texts.append(text)
                voice.append(_is_voice(rec.get(source_field)))
        results = json.loads(self._inner.score_json(texts, voice, embeddings, f"field `{text_field}`")) if texts else []
        for (pos, rid, extra), res in zip(slots, results):
            if "error" in res and len(res) == 1:
                out[pos] = {"id": rid, "error": res["error"]}
            else:
                row: Dict[str, Any] = {"id": rid}
                row.update(extra)
                row.update(res)
                out[pos] = row
        return out  # type: ignore[return-value]

    def embed(self, texts: Sequence[str]):
        """Sentence embeddings as a ``numpy.ndarray`` of float32, shape ``[len(texts), dim]``, row i
        for text i.

        Raises:
            InputError: when an item is not a valid text (None, NaN, a number, ``bytes``, a ``str``
                holding a lone surrogate): the message names the first bad item's index, which is
                also the exception's ``index`` attribute; nothing is embedded. Also when ``texts``
                is not a list of texts (see ``score``).
        """
        import numpy as np

        texts = _text_list(texts)
        data, dim = self._inner.embed_bytes(texts)
        return np.frombuffer(data, dtype="<f4").reshape(len(texts), dim).copy()

    def score_frame(self, df, text_column: str = "text", voice: bool = False, source_column: str = "source"):
        """Scores a pandas DataFrame's text column; returns a copy with ``sentiment``,
        ``sentiment_score``, ``topics``, ``quality_ok``, ``quality_flags``, ``keywords``, ``clauses``
        and ``error`` columns. Missing texts (None, NaN, ``pd.NA``, ``NaT``) score as empty texts
        (``quality_ok`` False); numbers are scored as their text (``111111``). A row that cannot be
        scored (bytes, a lone surrogate, over ``max_chars``) has its reason in ``error`` (None
        elsewhere) and None/empty analysis columns.
        Rows whose ``source_column`` (if the frame has it) says ``voice`` are voice transcripts,
        as in ``fankui score``; ``voice=True`` makes every row one.

        >>> import pandas as pd
        >>> out = Analyzer().score_frame(pd.DataFrame({"text": ["薯条有股怪味"]}))  # doctest: +SKIP
        >>> out.loc[0, "sentiment"]  # doctest: +SKIP
        'negative'
        """
        try:
            import pandas as pd  # noqa: F401
        except ImportError as e:  # pragma: no cover - exercised only without pandas
            raise FankuiError("score_frame needs pandas: pip install pandas") from e
        if text_column not in df.columns:
            raise InputError(f"DataFrame has no column {text_column!r}")
        texts = ["" if _is_missing(v) else v if isinstance(v, (str, bytes, bytearray)) else str(v)
                 for v in df[text_column].tolist()]
        if voice:
            flags = [True] * len(texts)
        elif source_column in df.columns:
            flags = [_is_voice(v) for v in df[source_column].tolist()]
        else:
            flags = [False] * len(texts)
        results = json.loads(self._inner.score_json(texts, flags, False, f"row {{i}} of column {text_column!r}"))
        out = df.copy()
        out["sentiment"] = [r.get("sentiment", {}).get("label") for r in results]
        out["sentiment_score"] = [r.get("sentiment", {}).get("score") for r in results]
        out["topics"] = [[t["label"] for t in r.get("topics", [])] for r in results]
        out["quality_ok"] = [r.get("quality", {}).get("ok", False) for r in results]
        out["quality_flags"] = [r.get("quality", {}).get("flags", []) for r in results]
        out["keywords"] = [r.get("keywords", []) for r in results]
        out["clauses"] = [r.get("clauses", []) for r in results]
        out["error"] = [r.get("error") for r in results]
        return out

    def detect_issues(self, records: Iterable[Mapping[str, Any]], time_field: str = "time",
                      group_fields: Sequence[str] = ("store",), state: Optional[str] = None,
                      since: Optional[str] = None, text_field: str = "text", id_field: str = "id",
                      options: Optional[Mapping[str, Any]] = None, errors: str = "warn",
                      stores: Optional[str] = None, volume: Optional[str] = None,
                      tickets: Optional[str] = None) -> "Issues":
        """See :func:`fankui.detect_issues`; uses this analyzer's model and pipeline."""
        return _detect_issues(self, records, time_field, group_fields, state, since, text_field, id_field,
                              options, errors, stacklevel=3, stores=stores, volume=volume, tickets=tickets)


_MISSING = object()
_VOICE_SOURCES = ("voice", "asr", "speech", "transcript")


def _is_voice(source: Any) -> bool:
    """Whether a record's source field marks a voice transcript (as the CLI reads it)."""
    return isinstance(source, str) and source.strip().lower() in _VOICE_SOURCES


def _kind(value: Any) -> str:
    """A value's JSON kind in the words of the CLI's error lines."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__
_DEFAULT: Optional[Analyzer] = None


def _default_analyzer() -> Analyzer:
    """The analyzer of the bundled model, built on first use and then shared."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Analyzer()
    return _DEFAULT


def _a(value: Any) -> str:
    """'a str', 'a dict', ... for messages."""
    name = type(value).__name__
    return ("an " if name[:1].lower() in "aeiou" else "a ") + name


def _text_list(texts: Any) -> List[Any]:
    """The items of a list of texts; the items themselves are checked one by one in Rust."""
    if isinstance(texts, (str, bytes, bytearray, memoryview)):
        raise InputError(f"give a list of texts, not a single text ({_a(texts)})")
    if isinstance(texts, Mapping):
        raise InputError("give a list of texts, not a mapping (its keys would be scored): e.g. list(d.values())")
    if isinstance(texts, (set, frozenset)):
        raise InputError("give a list of texts, not a set: a set has no order, so results could not be matched to texts")
    if hasattr(texts, "columns") and hasattr(texts, "iloc"):
        raise InputError("give a list of texts, not a DataFrame (its column names would be scored): "
                         "use score_frame, or df[column].tolist()")
    try:
        return list(texts)
    except TypeError:
        raise InputError(f"give a list of texts, not {_a(texts)}") from None


def _is_missing(value: Any) -> bool:
    """None, NaN (float or numpy), pandas.NA or NaT: a missing value as pandas writes it."""
    if value is None:
        return True
    if isinstance(value, float):
        return value != value
    name = type(value).__name__
    if name in ("NAType", "NaTType"):
        return True
    if name.startswith("float") and type(value).__module__ == "numpy":
        return bool(value != value)
    return False


def _missing_name(value: Any) -> str:
    name = type(value).__name__
    return {"NAType": "pandas.NA", "NaTType": "NaT"}.get(name, "NaN")


def _finite_or_none(value: Any) -> Any:
    """NaN and ±inf become None (as serde_json writes them, so rows match the CLI's JSON)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _json_default(value: Any) -> Any:
    """Values json cannot write: numpy scalars and arrays as Python values, pandas' missing
    values as None, anything else (datetimes, ...) as its str()."""
    if _is_missing(value):
        return None
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def _json_safe(value: Any) -> Any:
    """A copy of a record value that json can write with allow_nan=False: NaN/±inf/NA become None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str) or value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, Mapping):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if _is_missing(value):
        return None
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):
        return _json_safe(value.tolist())
    return value


def _surrogate_reason(value: Any) -> str:
    if isinstance(value, str):
        for i, ch in enumerate(value):
            if 0xD800 <= ord(ch) <= 0xDFFF:
                return f"is not valid Unicode: lone surrogate U+{ord(ch):04X} at character {i}"
    return "holds a lone surrogate (not valid Unicode)"


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, default=_json_default).encode("utf-8")


def _issue_payload(rows: List[Any], fields: Dict[str, Any]):
    """UTF-8 JSON of the records for the Rust detector, the records refused here as
    (position, {"id", "error"}), and each sent record's position (None: all were sent)."""
    if all(isinstance(r, dict) for r in rows):
        try:  # the common case: one C-speed dump
            return _dump(rows), [], None
        except (ValueError, TypeError, RecursionError):  # NaN/inf, lone surrogates, odd keys: record by record
            pass
    used = {fields["id"], fields["text"], fields["time"], fields["source"], *fields["groups"]}
    id_field, text_field = fields["id"], fields["text"]
    parts: List[bytes] = []
    refused: List[tuple] = []
    positions: List[int] = []
    for i, rec in enumerate(rows):
        if not isinstance(rec, Mapping):
            refused.append((i, {"id": str(i + 1), "error": f"record is {_a(rec)}, not a mapping"}))
            continue
        rid = rec.get(id_field)
        rid = None if _is_missing(rid) else rid
        if rid is None:
            eid = str(i + 1)
        elif isinstance(rid, str):
            eid = rid
        else:
            try:
                eid = json.dumps(_json_safe(rid), ensure_ascii=False, default=_json_default)
            except (TypeError, ValueError):
                eid = str(rid)
        text = rec.get(text_field)
        if text is not None and _is_missing(text):
            refused.append((i, {"id": eid, "error": f"field `{text_field}` is {_missing_name(text)} (a missing value), "
                                                    "not a string"}))
            continue
        clean = {k: _json_safe(v) for k, v in rec.items()}
        clean[id_field] = str(i + 1) if rid is None else clean.get(id_field)  # positions shift when records are refused
        error = None
        for k in list(clean):
            try:
                _dump({k: clean[k]})
            except UnicodeEncodeError:
                if k in used:
                    error = f"field `{k}` {_surrogate_reason(clean[k])}"
                    break
                del clean[k]  # a field issue detection never reads: leave it out rather than lose the record
            except (TypeError, ValueError, RecursionError) as e:
                if k in used:
                    error = f"field `{k}` cannot be converted to JSON: {e}"
                    break
                del clean[k]
        if error is not None:
            refused.append((i, {"id": eid, "error": error}))
            continue
        parts.append(_dump(clean))
        positions.append(i)
    return b"[" + b",".join(parts) + b"]", refused, positions


def _read_records(records: Iterable[Mapping[str, Any]], time_field: str, group_fields: Sequence[str],
                  text_field: str, id_field: str):
    """Checks that ``records`` is a list of records (not a string, a mapping or a DataFrame) and reads
    it for the detector: the rows, the fields (JSON for Rust), and what :func:`_issue_payload` gives."""
    if isinstance(records, (str, bytes, bytearray, Mapping)):
        raise InputError(f"give a list of records (mappings), not {_a(records)}")
    if hasattr(records, "columns") and hasattr(records, "iloc"):
        raise InputError('give a list of records, not a DataFrame: e.g. df.to_dict("records")')
    if isinstance(group_fields, str):
        group_fields = (group_fields,)
    fields = {"id": id_field, "text": text_field, "time": time_field, "source": "source",
              "groups": list(group_fields)}
    rows = list(records)
    payload, refused, positions = _issue_payload(rows, fields)
    return rows, fields, payload, refused, positions


def _detect_issues(analyzer: "Analyzer", records: Iterable[Mapping[str, Any]], time_field: str,
                   group_fields: Sequence[str], state: Optional[str], since: Optional[str], text_field: str,
                   id_field: str, options: Optional[Mapping[str, Any]], errors: str, stacklevel: int,
                   stores: Optional[str] = None, volume: Optional[str] = None,
                   tickets: Optional[str] = None) -> Issues:
    if errors not in ("warn", "raise", "ignore"):
        raise ConfigError(f"errors must be 'warn', 'raise' or 'ignore', not {errors!r}")
    rows, fields, payload, refused, positions = _read_records(records, time_field, group_fields, text_field, id_field)
    strict = errors == "raise"
    issues_json, summary_json = analyzer._inner.detect_issues_json(
        payload, json.dumps(fields), json.dumps(dict(options or {})), os.fspath(state) if state else None, since,
        strict, strict and bool(refused),
        json.dumps({k: os.fspath(v) if v else None for k, v in
                    (("stores", stores), ("volume", volume), ("tickets", tickets))}))
    summary = json.loads(summary_json)
    found: List[tuple] = list(refused)
    later: List[Dict[str, Any]] = []
    for e in summary["errors"]:
        index = e.pop("index", None)
        if index is None:
            later.append(e)
        else:
            found.append((index if positions is None else positions[index], e))
    found.sort(key=lambda x: x[0])
    all_errors = [e for _, e in found] + later
    result = Issues(json.loads(issues_json), all_errors, records=len(rows), junk=summary["junk"],
                    windows=summary["windows"], already_processed=summary["already_processed"], saved=summary["saved"])
    result.tickets = summary.get("tickets", [])
    if all_errors:
        first = all_errors[0]
        what = f"{len(all_errors)} of {len(rows)} records could not be used (first: record {first['id']}: {first['error']})"
        if strict:
            done = ("nothing was analyzed or saved" if not summary["windows"] else
                    "the state file was not written" if state else "no issues were returned")
            err = InputError(f"{what}; {done}. Fix or drop them, or pass errors='warn' to skip them")
            err.errors = all_errors  # type: ignore[attr-defined]
            err.result = result  # type: ignore[attr-defined]
            raise err
        if errors == "warn":
            warnings.warn(f"fankui.detect_issues: {what}; they are listed in the result's .errors "
                          "(errors='ignore' silences this, errors='raise' makes it an InputError)",
                          SkippedRecordsWarning, stacklevel=stacklevel)
    return result


def detect_issues(records: Iterable[Mapping[str, Any]], time_field: str = "time",
                  group_fields: Sequence[str] = ("store",), state: Optional[str] = None,
                  since: Optional[str] = None, analyzer: Optional[Analyzer] = None,
                  text_field: str = "text", id_field: str = "id", options: Optional[Mapping[str, Any]] = None,
                  errors: str = "warn", stores: Optional[str] = None, volume: Optional[str] = None,
                  tickets: Optional[str] = None) -> Issues:
    """Clusters complaints, detects spikes per group and returns named issues, most severe first
    (the same fields as ``fankui issues``: ``id``, ``name``, ``kind``, ``severity``, ``start``, ``end``,
    ``count``, ``expected``, ``score``, ``groups``, ``record_ids``, ``examples`` ...).

    Records are dicts with an id, an RFC 3339 time, the group fields and a text (or the output of
    ``Analyzer.score_records(..., embeddings=True)``). ``state`` names a file that carries clusters,
    baselines and issue ids to the next run. NaN and ±inf values (pandas' missing values) count as
    missing (a NaN group field: no group; a NaN text: an error for that record).

    The result is an :class:`Issues`: a list of the issues that also carries ``errors``, one
    ``{"id", "error"}`` per record that was not used (not a mapping, a bad or missing time, no
    text, a lone surrogate in a field it reads, a text over ``max_chars``), and the counts
    ``records``, ``junk``, ``windows``, ``already_processed``. ``errors`` says what to do about them:

    - ``"warn"`` (default): skip them and emit one :class:`SkippedRecordsWarning`;
    - ``"ignore"``: skip them quietly (they are still in ``result.errors``);
    - ``"raise"``: raise ``InputError`` (with ``.errors`` and ``.result``) and write no state file;
      records refused before analysis stop the run before anything is analyzed.

    ``stores`` and ``volume`` name ``stores.csv`` and ``volume.csv`` (as ``fankui issues --stores
    --volume``: store attributes; daily orders as the spike test's exposure). ``tickets`` names a
    file to write one ticket per red or yellow issue to (as ``--tickets``; with ``state``, the
    tickets persist beside it and escalate when late); the result's ``tickets`` lists them.

    >>> found = detect_issues([{"id": "a", "time": "yesterday", "text": "薯条有股怪味"}], errors="ignore")  # doctest: +SKIP
    >>> found, found.errors  # doctest: +SKIP
    ([], [{'id': 'a', 'error': 'time `yesterday` is not an RFC 3339 timestamp (e.g. 2026-11-09T12:30:00+08:00)'}])
    """
    if analyzer is None:
        analyzer = _default_analyzer()
    return _detect_issues(analyzer, records, time_field, group_fields, state, since, text_field, id_field, options,
                          errors, stacklevel=3, stores=stores, volume=volume, tickets=tickets)


def report(records: Iterable[Mapping[str, Any]], issues: Optional[Iterable[Mapping[str, Any]]] = None,
           tickets: Any = None, group_fields: Sequence[str] = ("store",), since: Optional[str] = None,
           until: Optional[str] = None, lang: str = "zh", title: Optional[str] = None,
           standards: Optional[Mapping[str, Any]] = None, time_field: str = "time", text_field: str = "text",
           id_field: str = "id", max_records: int = 10000, options: Optional[Mapping[str, Any]] = None,
           analyzer: Optional[Analyzer] = None, stores: Optional[str] = None, volume: Optional[str] = None) -> str:
    """The self-contained HTML report of ``fankui report`` (one string: scripts, styles and data
    inline), for the period ``since``–``until`` (``YYYY-MM-DD``; default: the last 7 days of the data).

    ``records`` are raw records (dicts with an id, an RFC 3339 time, the group fields and a text) or
    the output of ``Analyzer.score_records``; ``issues`` the output of :func:`detect_issues` (else
    issues are found here, scoring each record once); ``tickets`` a list of ticket dicts or the path
    of a ``tickets.jsonl``; ``standards`` the scorecard's red/yellow thresholds (the JSON of
    ``--standards``); ``options`` issue-detection options; ``stores`` and ``volume`` the paths of a
    ``stores.csv`` and a ``volume.csv`` (complaints per 1,000 orders; volume-adjusted spikes). ``lang`` is ``"zh"`` or ``"en"``.
    Records that cannot be used are skipped with a :class:`SkippedRecordsWarning`. The GIL is
    released while the report is made.

    >>> html = report(records, lang="en")  # doctest: +SKIP
    >>> open("report.html", "w", encoding="utf-8").write(html)  # doctest: +SKIP
    """
    if lang not in ("zh", "en"):
        raise ConfigError(f"lang must be 'zh' or 'en', not {lang!r}")
    if analyzer is None:
        analyzer = _default_analyzer()
    rows, fields, payload, refused, _ = _read_records(records, time_field, group_fields, text_field, id_field)
    report_options: Dict[str, Any] = {"lang": lang, "since": since, "until": until, "max_records": max_records}
    if title is not None:
        report_options["title"] = title
    if standards is not None:
        report_options["standards"] = dict(standards)
    if isinstance(tickets, (str, os.PathLike)):
        with open(tickets, encoding="utf-8") as f:
            tickets = [json.loads(line) for line in f if line.strip()]
    issues_json = None if issues is None else json.dumps(list(issues), ensure_ascii=False)
    tickets_json = None if tickets is None else json.dumps(list(tickets), ensure_ascii=False)
    html, summary_json = analyzer._inner.report_json(
        payload, json.dumps(fields), json.dumps(report_options), json.dumps(dict(options or {})),
        issues_json, tickets_json, os.fspath(stores) if stores else None, os.fspath(volume) if volume else None)
    summary = json.loads(summary_json)
    skipped = [e for _, e in refused] + summary["errors"]
    if skipped:
        first = skipped[0]
        warnings.warn(f"report: {len(skipped)} of {len(rows)} records could not be used (first: record "
                      f"{first['id']}: {first['error']})", SkippedRecordsWarning, stacklevel=2)
    return html
