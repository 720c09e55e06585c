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
"""

from __future__ import annotations

import importlib.util
import json
import os
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
        model: model directory (``model.onnx``, ``tokenizer.json``, ``labels.json``); default: the bundled model.
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
        """Scores texts; one dict per text, in order, with the fields of ``fankui score``
        (``text``, ``clauses``, ``keywords``, ``quality``, ``sentiment``, ``topics``).
        A text that cannot be analyzed (over ``max_chars``) gives ``{"error": reason}``.

        Raises:
            InputError: when ``texts`` is a string or holds something that is not a string.
        """
        texts = _texts(texts)
        return json.loads(self._inner.score_json(texts, [bool(voice)] * len(texts), embeddings))

    def score_records(self, records: Iterable[Mapping[str, Any]], text_field: str = "text", id_field: str = "id",
                      source_field: str = "source", embeddings: bool = False) -> List[Dict[str, Any]]:
        """Scores records like ``fankui score`` does: one output dict per record, in order,
        ``{"id": ..., <other fields>, <analysis>}``; a record without a usable text gives
        ``{"id": ..., "error": reason}`` (records without an id get their 1-based position)."""
        out: List[Optional[Dict[str, Any]]] = []
        texts: List[str] = []
        voice: List[bool] = []
        slots: List[tuple] = []
        for i, rec in enumerate(records, start=1):
            if not isinstance(rec, Mapping):
                out.append({"id": i, "error": "record is not a mapping"})
                continue
            rid = rec.get(id_field)
            rid = i if rid is None else rid
            text = rec.get(text_field, _MISSING)
            if text is _MISSING:
                out.append({"id": rid, "error": f"missing field `{text_field}`"})
            elif text is None:
                out.append({"id": rid, "error": f"field `{text_field}` is null"})
            elif not isinstance(text, str):
                out.append({"id": rid, "error": f"field `{text_field}` is not a string but {_kind(text)}"})
            else:
                extra = {k: v for k, v in rec.items() if k not in (id_field, text_field)}
                slots.append((len(out), rid, extra))
                out.append(None)
                texts.append(text)
                voice.append(_is_voice(rec.get(source_field)))
        results = json.loads(self._inner.score_json(texts, voice, embeddings)) if texts else []
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
        """Sentence embeddings as a ``numpy.ndarray`` of float32, shape ``[len(texts), dim]``."""
        import numpy as np

        texts = _texts(texts)
        data, dim = self._inner.embed_bytes(texts)
        return np.frombuffer(data, dtype="<f4").reshape(len(texts), dim).copy()

    def score_frame(self, df, text_column: str = "text", voice: bool = False, source_column: str = "source"):
        """Scores a pandas DataFrame's text column; returns a copy with ``sentiment``,
        ``sentiment_score``, ``topics``, ``quality_ok``, ``quality_flags``, ``keywords`` and
        ``clauses`` columns. Missing texts (None, NaN) score as empty texts (``quality_ok`` False).
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
        texts = ["" if v is None or (isinstance(v, float) and v != v) else str(v) for v in df[text_column].tolist()]
        if voice:
            flags = [True] * len(texts)
        elif source_column in df.columns:
            flags = [_is_voice(v) for v in df[source_column].tolist()]
        else:
            flags = [False] * len(texts)
        results = json.loads(self._inner.score_json(texts, flags, False))
        out = df.copy()
        out["sentiment"] = [r.get("sentiment", {}).get("label") for r in results]
        out["sentiment_score"] = [r.get("sentiment", {}).get("score") for r in results]
        out["topics"] = [[t["label"] for t in r.get("topics", [])] for r in results]
        out["quality_ok"] = [r.get("quality", {}).get("ok", False) for r in results]
        out["quality_flags"] = [r.get("quality", {}).get("flags", []) for r in results]
        out["keywords"] = [r.get("keywords", []) for r in results]
        out["clauses"] = [r.get("clauses", []) for r in results]
        return out

    def detect_issues(self, records: Iterable[Mapping[str, Any]], time_field: str = "time",
                      group_fields: Sequence[str] = ("store",), state: Optional[str] = None,
                      since: Optional[str] = None, text_field: str = "text", id_field: str = "id",
                      options: Optional[Mapping[str, Any]] = None) -> List[Dict[str, Any]]:
        """See :func:`fankui.detect_issues`; uses this analyzer's model and pipeline."""
        fields = {"id": id_field, "text": text_field, "time": time_field, "source": "source",
                  "groups": list(group_fields)}
        rows = list(records)
        issues_json, _summary = self._inner.detect_issues_json(
            json.dumps(rows, ensure_ascii=False, default=str), json.dumps(fields),
            json.dumps(dict(options or {})), os.fspath(state) if state else None, since)
        return json.loads(issues_json)


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


def _texts(texts: Sequence[str]) -> List[str]:
    if isinstance(texts, str):
        raise InputError("give a list of texts, not a single string")
    out = list(texts)
    for i, t in enumerate(out):
        if not isinstance(t, str):
            raise InputError(f"text {i} is {type(t).__name__}, not str")
    return out


def detect_issues(records: Iterable[Mapping[str, Any]], time_field: str = "time",
                  group_fields: Sequence[str] = ("store",), state: Optional[str] = None,
                  since: Optional[str] = None, analyzer: Optional[Analyzer] = None,
                  **kwargs: Any) -> List[Dict[str, Any]]:
    """Clusters complaints, detects spikes per group and returns named issues, most severe first
    (the same fields as ``fankui issues``: ``id``, ``name``, ``kind``, ``severity``, ``start``, ``end``,
    ``count``, ``expected``, ``score``, ``groups``, ``record_ids``, ``examples`` ...).

    Records are dicts with an id, an RFC 3339 time, the group fields and a text (or the output of
    ``Analyzer.score_records(..., embeddings=True)``). ``state`` names a file that carries clusters,
    baselines and issue ids to the next run.
    """
    global _DEFAULT
    if analyzer is None:
        if _DEFAULT is None:
            _DEFAULT = Analyzer()
        analyzer = _DEFAULT
    return analyzer.detect_issues(records, time_field=time_field, group_fields=group_fields, state=state,
                                  since=since, **kwargs)
