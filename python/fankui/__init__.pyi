from typing import Any, Dict, Iterable, List, Literal, Mapping, Optional, Sequence

import numpy

__version__: str

class FankuiError(Exception): ...
class RuntimeNotFound(FankuiError): ...
class ModelError(FankuiError): ...
class InputError(FankuiError):
    index: int  # set by Analyzer.embed: the first bad text
    errors: List[Dict[str, Any]]  # set by detect_issues(errors="raise")
    result: "Issues"  # set by detect_issues(errors="raise")
class ConfigError(FankuiError): ...
class StateError(FankuiError): ...
class SkippedRecordsWarning(UserWarning): ...

class Issues(List[Dict[str, Any]]):
    errors: List[Dict[str, Any]]
    records: int
    junk: int
    windows: int
    already_processed: int
    saved: bool
    tickets: List[Dict[str, Any]]
    def __init__(
        self,
        issues: Iterable[Dict[str, Any]] = ...,
        errors: Iterable[Dict[str, Any]] = ...,
        records: int = ...,
        junk: int = ...,
        windows: int = ...,
        already_processed: int = ...,
        saved: bool = ...,
    ) -> None: ...
    @property
    def issues(self) -> List[Dict[str, Any]]: ...

def bundled_model_dir() -> str: ...
def onnxruntime_library() -> Optional[str]: ...

class Analyzer:
    def __init__(
        self,
        model: Optional[str] = ...,
        threads: Optional[int] = ...,
        voice: bool = ...,
        custom_topics: Optional[Mapping[str, Sequence[str]]] = ...,
        scoring: bool = ...,
        config: Optional[Mapping[str, Any]] = ...,
    ) -> None: ...
    @property
    def config(self) -> Dict[str, Any]: ...
    def score(self, texts: Iterable[Any], voice: bool = ..., embeddings: bool = ...) -> List[Dict[str, Any]]: ...
    def score_records(
        self,
        records: Iterable[Mapping[str, Any]],
        text_field: str = ...,
        id_field: str = ...,
        source_field: str = ...,
        embeddings: bool = ...,
    ) -> List[Dict[str, Any]]: ...
    def embed(self, texts: Iterable[Any]) -> numpy.ndarray: ...
    def score_frame(self, df: Any, text_column: str = ..., voice: bool = ..., source_column: str = ...) -> Any: ...
    def detect_issues(
        self,
        records: Iterable[Mapping[str, Any]],
        time_field: str = ...,
        group_fields: Sequence[str] = ...,
        state: Optional[str] = ...,
        since: Optional[str] = ...,
        text_field: str = ...,
        id_field: str = ...,
        options: Optional[Mapping[str, Any]] = ...,
        errors: Literal["warn", "raise", "ignore"] = ...,
        stores: Optional[str] = ...,
        volume: Optional[str] = ...,
        tickets: Optional[str] = ...,
    ) -> Issues: ...

def detect_issues(
    records: Iterable[Mapping[str, Any]],
    time_field: str = ...,
    group_fields: Sequence[str] = ...,
    state: Optional[str] = ...,
    since: Optional[str] = ...,
    analyzer: Optional[Analyzer] = ...,
    text_field: str = ...,
    id_field: str = ...,
    options: Optional[Mapping[str, Any]] = ...,
    errors: Literal["warn", "raise", "ignore"] = ...,
    stores: Optional[str] = ...,
    volume: Optional[str] = ...,
    tickets: Optional[str] = ...,
) -> Issues: ...

def report(
    records: Iterable[Mapping[str, Any]],
    issues: Optional[Iterable[Mapping[str, Any]]] = ...,
    tickets: Any = ...,
    group_fields: Sequence[str] = ...,
    since: Optional[str] = ...,
    until: Optional[str] = ...,
    lang: Literal["zh", "en"] = ...,
    title: Optional[str] = ...,
    standards: Optional[Mapping[str, Any]] = ...,
    time_field: str = ...,
    text_field: str = ...,
    id_field: str = ...,
    max_records: int = ...,
    options: Optional[Mapping[str, Any]] = ...,
    analyzer: Optional[Analyzer] = ...,
    stores: Optional[str] = ...,
    volume: Optional[str] = ...,
) -> str: ...
