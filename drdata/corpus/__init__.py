"""Read task folders (upstream ``archive/<platform>/<ID>`` layout or ``corpora/``) into :class:`Task` objects."""

from drdata.corpus.reader import (
    MAX_FILE_BYTES,
    TRAINING_QUALITY_WORDS,
    CorpusError,
    Task,
    load_corpus,
    parse_training_quality,
    read_single_task,
    read_task,
    tasks_frame,
)

__all__ = [
    "MAX_FILE_BYTES",
    "TRAINING_QUALITY_WORDS",
    "CorpusError",
    "Task",
    "load_corpus",
    "parse_training_quality",
    "read_single_task",
    "read_task",
    "tasks_frame",
]
