{#- Date vars (min_date, max_date, as_of), validated before they reach SQL or a Delta predicate. -#}

{% macro date_var(name) -%}
  {#- The var `name` as a 'YYYY-MM-DD' string, or none when unset or empty. -#}
  {%- set value = var(name, none) -%}
  {%- if value is none or (value | string | trim) == '' -%}
    {{- return(none) -}}
  {%- endif -%}
  {%- set text = value | string | trim -%}
  {%- if not modules.re.fullmatch('[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])', text) -%}
    {{ exceptions.raise_compiler_error("var " ~ name ~ "='" ~ text ~ "' is not a date: use YYYY-MM-DD") }}
  {%- endif -%}
  {#- Raises for a day that does not exist, e.g. 2026-02-30. -#}
  {%- do modules.datetime.date.fromisoformat(text) -%}
  {{- return(text) -}}
{%- endmacro %}

{% macro partition_window() -%}
  {#-
    [min_date, max_date] of business dates a partitioned mart rebuilds, or none (full rebuild).
    At run time: the window of the run's context (table lakehouse_run, filled on-run-start by
    the plugin), so a daily run passes no vars and dbt keeps its parsed manifest. While
    parsing: none (the window never shapes what the parser sees). Without the hooks (dbt
    compile): the vars.
  -#}
  {%- if not execute -%}
    {{- return(none) -}}
  {%- endif -%}
  {%- set run = run_query('select root, min_date, max_date from lakehouse_run') -%}
  {%- if run.rows | length > 0 -%}
    {%- set row = run.rows[0] -%}
    {#- agate may read the ISO dates as datetimes: keep their YYYY-MM-DD. -#}
    {{- return([(row[1] | string)[:10], (row[2] | string)[:10]] if row[1] is not none else none) -}}
  {%- endif -%}
  {{- return(vars_window()) -}}
{%- endmacro %}

{% macro vars_window() -%}
  {#- [min_date, max_date] from the vars, validated, or none when both are unset. -#}
  {%- set min_date = date_var('min_date') -%}
  {%- set max_date = date_var('max_date') -%}
  {%- if min_date is none and max_date is none -%}
    {{- return(none) -}}
  {%- endif -%}
  {%- if min_date is none or max_date is none -%}
    {{ exceptions.raise_compiler_error(
        "pass both vars min_date and max_date (YYYY-MM-DD) to rebuild a window of business "
        ~ "dates, or neither to rebuild the whole table") }}
  {%- endif -%}
  {%- if min_date > max_date -%}
    {{ exceptions.raise_compiler_error("min_date " ~ min_date ~ " is after max_date " ~ max_date) }}
  {%- endif -%}
  {{- return([min_date, max_date]) -}}
{%- endmacro %}

{% macro partition_window_filter(column) -%}
  {#- SQL condition keeping the rows of the window (true when the whole table is rebuilt). -#}
  {%- set window = partition_window() -%}
  {%- if window is none -%}
    true
  {%- else -%}
    {{ column }} between date '{{ window[0] }}' and date '{{ window[1] }}'
  {%- endif -%}
{%- endmacro %}

{% macro landed_since_window_filter(column) -%}
  {#-
    SQL condition keeping rows that landed on or after the window's first day (true when the
    whole table is rebuilt). For rows that cannot land before their order's business date
    (order lines): filtered before deduplication, the scan skips older landing days.
  -#}
  {%- set window = partition_window() -%}
  {%- if window is none -%}
    true
  {%- else -%}
    {{ column }} >= date '{{ window[0] }}'
  {%- endif -%}
{%- endmacro %}
