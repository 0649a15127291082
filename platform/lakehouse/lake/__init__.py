"""The Delta store: table URIs, typed partition predicates, writes with metadata, reads."""

from lakehouse.lake.checks import MergeKeyError, MissingColumnsError, PartitionMismatchError
from lakehouse.lake.predicates import (
    PartitionPredicateError,
    PartitionValue,
    partition_predicate,
    partition_scalar,
)
from lakehouse.lake.reader import DeltaReader, TableNotFoundError, register_delta
from lakehouse.lake.results import WriteResult
from lakehouse.lake.store import DeltaStore
from lakehouse.lake.uris import is_local, key_parts, table_uri

__all__ = [
    "DeltaReader",
    "DeltaStore",
    "MergeKeyError",
    "MissingColumnsError",
    "PartitionMismatchError",
    "PartitionPredicateError",
    "PartitionValue",
    "TableNotFoundError",
    "WriteResult",
    "is_local",
    "key_parts",
    "partition_predicate",
    "partition_scalar",
    "register_delta",
    "table_uri",
]
