# Local partial stub for `pyarrow.compute` (pyright `stubPath`, see [tool.pyright]).
#
# Why: pyarrow generates most of `pyarrow.compute` at import time
# (`_make_global_functions()` copies every kernel of the C++ function registry into the
# module's globals), so a static checker sees only the handful of hand-written helpers
# (`cast`, `take`, `field`, ...) and reports every generated function (`pc.equal`,
# `pc.if_else`, ...) as "not a known attribute". pyarrow ships no stubs (no py.typed),
# and the third-party pyarrow-stubs package targets older pyarrow releases and reports
# more false errors than it removes. pyarrow's own classes (`Array`, `Scalar`,
# `Expression`, ...) live in Cython extension modules, so pyright sees them as Unknown;
# the annotations below name them anyway so the signatures document intent and tighten
# automatically if pyarrow ever ships types.
#
# How: this is a PEP 561 *partial* stub package (`pyarrow-stubs/` + `py.typed` containing
# `partial`), so pyright takes `pyarrow.compute` from here and everything else in
# `pyarrow` (`pyarrow/__init__.py`, `pyarrow.dataset`, ...) from the installed package.
# A plain `typings/pyarrow/compute.pyi` does NOT work: pyright then treats `typings/pyarrow`
# as the whole `pyarrow` package and `pa.Table`, `pa.array`, ... become unknown.
#
# What: the module's static surface (the `pyarrow._compute` re-exports and the
# hand-written functions of pyarrow 26 `compute.py`), plus the generated functions this
# repository calls, with the signatures pyarrow itself reports (`inspect.signature(pc.f)`):
# positional-only data arguments, the function's options as further parameters, then
# `options` and `memory_pool`. There is deliberately no module `__getattr__`: a misspelt
# or new function is still reported, and using a new compute function means adding its
# signature here (copy it from `inspect.signature`). Delete this stub once pyarrow
# ships type information for `pyarrow.compute`.

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Literal, TypeAlias

from pyarrow import (
    Array,
    ChunkedArray,
    DataType,
    MemoryPool,
    RecordBatch,
    Scalar,
    StructScalar,
    Table,
)
from pyarrow._compute import ArraySortOptions as ArraySortOptions
from pyarrow._compute import AssumeTimezoneOptions as AssumeTimezoneOptions
from pyarrow._compute import CastOptions as CastOptions
from pyarrow._compute import CountOptions as CountOptions
from pyarrow._compute import CumulativeOptions as CumulativeOptions
from pyarrow._compute import CumulativeSumOptions as CumulativeSumOptions
from pyarrow._compute import DayOfWeekOptions as DayOfWeekOptions
from pyarrow._compute import DictionaryEncodeOptions as DictionaryEncodeOptions
from pyarrow._compute import ElementWiseAggregateOptions as ElementWiseAggregateOptions
from pyarrow._compute import Expression as Expression
from pyarrow._compute import ExtractRegexOptions as ExtractRegexOptions
from pyarrow._compute import ExtractRegexSpanOptions as ExtractRegexSpanOptions
from pyarrow._compute import FilterOptions as FilterOptions
from pyarrow._compute import Function as Function
from pyarrow._compute import FunctionOptions as FunctionOptions
from pyarrow._compute import FunctionRegistry as FunctionRegistry
from pyarrow._compute import HashAggregateFunction as HashAggregateFunction
from pyarrow._compute import HashAggregateKernel as HashAggregateKernel
from pyarrow._compute import IndexOptions as IndexOptions
from pyarrow._compute import InversePermutationOptions as InversePermutationOptions
from pyarrow._compute import JoinOptions as JoinOptions
from pyarrow._compute import Kernel as Kernel
from pyarrow._compute import ListFlattenOptions as ListFlattenOptions
from pyarrow._compute import ListSliceOptions as ListSliceOptions
from pyarrow._compute import MakeStructOptions as MakeStructOptions
from pyarrow._compute import MapLookupOptions as MapLookupOptions
from pyarrow._compute import MatchSubstringOptions as MatchSubstringOptions
from pyarrow._compute import ModeOptions as ModeOptions
from pyarrow._compute import NullOptions as NullOptions
from pyarrow._compute import PadOptions as PadOptions
from pyarrow._compute import PairwiseOptions as PairwiseOptions
from pyarrow._compute import PartitionNthOptions as PartitionNthOptions
from pyarrow._compute import PivotWiderOptions as PivotWiderOptions
from pyarrow._compute import QuantileOptions as QuantileOptions
from pyarrow._compute import RandomOptions as RandomOptions
from pyarrow._compute import RankOptions as RankOptions
from pyarrow._compute import RankQuantileOptions as RankQuantileOptions
from pyarrow._compute import ReplaceSliceOptions as ReplaceSliceOptions
from pyarrow._compute import ReplaceSubstringOptions as ReplaceSubstringOptions
from pyarrow._compute import RoundBinaryOptions as RoundBinaryOptions
from pyarrow._compute import RoundOptions as RoundOptions
from pyarrow._compute import RoundTemporalOptions as RoundTemporalOptions
from pyarrow._compute import RoundToMultipleOptions as RoundToMultipleOptions
from pyarrow._compute import RunEndEncodeOptions as RunEndEncodeOptions
from pyarrow._compute import ScalarAggregateFunction as ScalarAggregateFunction
from pyarrow._compute import ScalarAggregateKernel as ScalarAggregateKernel
from pyarrow._compute import ScalarAggregateOptions as ScalarAggregateOptions
from pyarrow._compute import ScalarFunction as ScalarFunction
from pyarrow._compute import ScalarKernel as ScalarKernel
from pyarrow._compute import ScatterOptions as ScatterOptions
from pyarrow._compute import SearchSortedOptions as SearchSortedOptions
from pyarrow._compute import SelectKOptions as SelectKOptions
from pyarrow._compute import SetLookupOptions as SetLookupOptions
from pyarrow._compute import SkewOptions as SkewOptions
from pyarrow._compute import SliceOptions as SliceOptions
from pyarrow._compute import SortOptions as SortOptions
from pyarrow._compute import SplitOptions as SplitOptions
from pyarrow._compute import SplitPatternOptions as SplitPatternOptions
from pyarrow._compute import StrftimeOptions as StrftimeOptions
from pyarrow._compute import StrptimeOptions as StrptimeOptions
from pyarrow._compute import StructFieldOptions as StructFieldOptions
from pyarrow._compute import TakeOptions as TakeOptions
from pyarrow._compute import TDigestOptions as TDigestOptions
from pyarrow._compute import TrimOptions as TrimOptions
from pyarrow._compute import UdfContext as UdfContext
from pyarrow._compute import VarianceOptions as VarianceOptions
from pyarrow._compute import VectorFunction as VectorFunction
from pyarrow._compute import VectorKernel as VectorKernel
from pyarrow._compute import WeekOptions as WeekOptions
from pyarrow._compute import WinsorizeOptions as WinsorizeOptions
from pyarrow._compute import ZeroFillOptions as ZeroFillOptions
from pyarrow._compute import call_function as call_function
from pyarrow._compute import call_tabular_function as call_tabular_function
from pyarrow._compute import function_registry as function_registry
from pyarrow._compute import get_function as get_function
from pyarrow._compute import list_functions as list_functions
from pyarrow._compute import register_aggregate_function as register_aggregate_function
from pyarrow._compute import register_scalar_function as register_scalar_function
from pyarrow._compute import register_tabular_function as register_tabular_function
from pyarrow._compute import register_vector_function as register_vector_function

# A Python value pyarrow converts with `pa.scalar()`.
_PyScalar: TypeAlias = (
    bool | int | float | str | bytes | Decimal | date | time | datetime | timedelta | None
)
# Array-shaped input of vector and aggregate functions.
_Arrays: TypeAlias = Array | ChunkedArray
# Any input of an element-wise ("scalar") function; an Expression first argument
# builds an Expression instead of computing.
_Datum: TypeAlias = Array | ChunkedArray | Scalar | Expression | _PyScalar
# Result of an element-wise function: same shape as the array-like input.
_Result: TypeAlias = Array | ChunkedArray | Scalar | Expression
_Pool: TypeAlias = MemoryPool | None
_NullHandling: TypeAlias = Literal["emit_null", "skip", "replace"]

# --- hand-written functions of pyarrow/compute.py ------------------------------------

def cast(
    arr: _Datum | Table | RecordBatch,
    target_type: DataType | str | None = None,
    safe: bool | None = None,
    options: CastOptions | None = None,
    memory_pool: _Pool = None,
) -> _Result: ...
def index(
    data: _Arrays,
    value: Scalar | _PyScalar,
    start: int | None = None,
    end: int | None = None,
    *,
    memory_pool: _Pool = None,
) -> Scalar: ...
def take(
    data: _Arrays | Table | RecordBatch,
    indices: _Arrays | list[int],
    *,
    boundscheck: bool = True,
    memory_pool: _Pool = None,
) -> _Arrays | Table | RecordBatch: ...
def fill_null(values: _Datum, fill_value: Scalar | _PyScalar | _Arrays) -> _Result: ...
def top_k_unstable(
    values: _Arrays | Table | RecordBatch,
    k: int,
    sort_keys: list[str] | None = None,
    null_placements: Literal["at_start", "at_end"] | None = None,
    *,
    memory_pool: _Pool = None,
) -> Array: ...
def bottom_k_unstable(
    values: _Arrays | Table | RecordBatch,
    k: int,
    sort_keys: list[str] | None = None,
    null_placements: Literal["at_start", "at_end"] | None = None,
    *,
    memory_pool: _Pool = None,
) -> Array: ...
def random(
    n: int,
    *,
    initializer: int | str | bytes = "system",
    options: RandomOptions | None = None,
    memory_pool: _Pool = None,
) -> Array: ...
def field(*name_or_index: str | int | tuple[str | int, ...]) -> Expression: ...
def scalar(value: Scalar | _PyScalar) -> Expression: ...

# --- generated functions used by this repository -------------------------------------

# comparisons and boolean logic
def equal(x: _Datum, y: _Datum, /, *, memory_pool: _Pool = None) -> _Result: ...
def not_equal(x: _Datum, y: _Datum, /, *, memory_pool: _Pool = None) -> _Result: ...
def greater(x: _Datum, y: _Datum, /, *, memory_pool: _Pool = None) -> _Result: ...
def greater_equal(x: _Datum, y: _Datum, /, *, memory_pool: _Pool = None) -> _Result: ...
def less(x: _Datum, y: _Datum, /, *, memory_pool: _Pool = None) -> _Result: ...
def less_equal(x: _Datum, y: _Datum, /, *, memory_pool: _Pool = None) -> _Result: ...
def and_(x: _Datum, y: _Datum, /, *, memory_pool: _Pool = None) -> _Result: ...
def or_(x: _Datum, y: _Datum, /, *, memory_pool: _Pool = None) -> _Result: ...
def invert(values: _Datum, /, *, memory_pool: _Pool = None) -> _Result: ...
def if_else(
    cond: _Datum, left: _Datum, right: _Datum, /, *, memory_pool: _Pool = None
) -> _Result: ...
def is_null(
    values: _Datum,
    /,
    *,
    nan_is_null: bool = False,
    options: NullOptions | None = None,
    memory_pool: _Pool = None,
) -> _Result: ...
def is_valid(values: _Datum, /, *, memory_pool: _Pool = None) -> _Result: ...
def is_in(
    values: _Datum,
    /,
    value_set: _Arrays,
    *,
    skip_nulls: bool = False,
    options: SetLookupOptions | None = None,
    memory_pool: _Pool = None,
) -> _Result: ...

# arithmetic
def divide(dividend: _Datum, divisor: _Datum, /, *, memory_pool: _Pool = None) -> _Result: ...

# strings
def utf8_lower(strings: _Datum, /, *, memory_pool: _Pool = None) -> _Result: ...
def utf8_upper(strings: _Datum, /, *, memory_pool: _Pool = None) -> _Result: ...
def utf8_lpad(
    strings: _Datum,
    /,
    width: int,
    padding: str = " ",
    lean_left_on_odd_padding: bool = True,
    *,
    options: PadOptions | None = None,
    memory_pool: _Pool = None,
) -> _Result: ...
def utf8_zero_fill(
    strings: _Datum,
    /,
    width: int,
    padding: str = "0",
    *,
    options: ZeroFillOptions | None = None,
    memory_pool: _Pool = None,
) -> _Result: ...

utf8_zfill = utf8_zero_fill

def binary_join_element_wise(
    *strings: _Datum,
    null_handling: _NullHandling = "emit_null",
    null_replacement: str = "",
    options: JoinOptions | None = None,
    memory_pool: _Pool = None,
) -> _Result: ...
def replace_substring(
    strings: _Datum,
    /,
    pattern: str,
    replacement: str,
    *,
    max_replacements: int | None = None,
    options: ReplaceSubstringOptions | None = None,
    memory_pool: _Pool = None,
) -> _Result: ...
def replace_substring_regex(
    strings: _Datum,
    /,
    pattern: str,
    replacement: str,
    *,
    max_replacements: int | None = None,
    options: ReplaceSubstringOptions | None = None,
    memory_pool: _Pool = None,
) -> _Result: ...
def match_substring_regex(
    strings: _Datum,
    /,
    pattern: str,
    *,
    ignore_case: bool = False,
    options: MatchSubstringOptions | None = None,
    memory_pool: _Pool = None,
) -> _Result: ...
def extract_regex(
    strings: _Datum,
    /,
    pattern: str,
    *,
    options: ExtractRegexOptions | None = None,
    memory_pool: _Pool = None,
) -> _Result: ...

# structs
def struct_field(
    values: _Datum,
    /,
    indices: str | int | list[str | int],
    *,
    options: StructFieldOptions | None = None,
    memory_pool: _Pool = None,
) -> _Result: ...

# vector functions
def unique(array: _Arrays, /, *, memory_pool: _Pool = None) -> Array: ...
def drop_null(
    input: _Arrays | Table | RecordBatch, /, *, memory_pool: _Pool = None
) -> _Arrays | Table | RecordBatch: ...

# aggregations
def sum(
    array: _Arrays,
    /,
    *,
    skip_nulls: bool = True,
    min_count: int = 1,
    options: ScalarAggregateOptions | None = None,
    memory_pool: _Pool = None,
) -> Scalar: ...
def any(
    array: _Arrays,
    /,
    *,
    skip_nulls: bool = True,
    min_count: int = 1,
    options: ScalarAggregateOptions | None = None,
    memory_pool: _Pool = None,
) -> Scalar: ...
def min_max(
    array: _Arrays,
    /,
    *,
    skip_nulls: bool = True,
    min_count: int = 1,
    options: ScalarAggregateOptions | None = None,
    memory_pool: _Pool = None,
) -> StructScalar: ...
def quantile(
    array: _Arrays,
    /,
    q: float | list[float] = 0.5,
    *,
    interpolation: Literal["linear", "lower", "higher", "nearest", "midpoint"] = "linear",
    skip_nulls: bool = True,
    min_count: int = 0,
    options: QuantileOptions | None = None,
    memory_pool: _Pool = None,
) -> Array: ...
