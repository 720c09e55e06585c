from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

import numpy

__version__: str

class FankuiError(Exception): ...
class RuntimeNotFound(FankuiError): ...
class ModelError(FankuiError): ...
class InputError(FankuiError): ...
class ConfigError(FankuiError): ...
class StateError(FankuiError): ...

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
    def score(self, texts: Sequence[str], voice: bool = ..., embeddings: bool = ...) -> List[Dict[str, Any]]: ...
    def score_records(
        self,
        records: Iterable[Mapping[str, Any]],
        text_field: str = ...,
        id_field: str = ...,
        source_field: str = ...,
        embeddings: bool = ...,
    ) -> List[Dict[str, Any]]: ...
    def embed(self, texts: Sequence[str]) -> numpy.ndarray: ...
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
    ) -> List[Dict[str, Any]]: ...

def detect_issues(
    records: Iterable[Mapping[str, Any]],
    time_field: str = ...,
    group_fields: Sequence[str] = ...,
    state: Optional[str] = ...,
    since: Optional[str] = ...,
    analyzer: Optional[Analyzer] = ...,
    **kwargs: Any,
) -> List[Dict[str, Any]]: ...
