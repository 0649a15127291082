"""Data contracts: the checks they turn into, and how two versions of them compare."""

from lakehouse.contracts.diff import (
    Change,
    ColumnContract,
    Contract,
    Setting,
    Severity,
    compare_types,
    diff_contracts,
    is_breaking,
)
from lakehouse.contracts.revisions import (
    CONTRACT_FOLDERS,
    ContractFolder,
    DiffReport,
    RevisionError,
    compare_revisions,
    source_contract,
)

__all__ = [
    "CONTRACT_FOLDERS",
    "Change",
    "ColumnContract",
    "Contract",
    "ContractFolder",
    "DiffReport",
    "RevisionError",
    "Setting",
    "Severity",
    "compare_revisions",
    "compare_types",
    "diff_contracts",
    "is_breaking",
    "source_contract",
]
