{#- The latest version of each fact row across landing days (silver deduplicates within a day). -#}

{% macro latest_version(relation, keys, order_by=[]) -%}
  {#-
    Select the rows of `relation` (a CTE or relation with landing_date and ingested_at), one per
    `keys` (column names): the first by `order_by` (e.g. ['updated_at desc nulls last']), then
    the latest landing day, then the last ingested.
  -#}
  {%- set keys = [keys] if keys is string else keys -%}
  {%- set order_by = ([order_by] if order_by is string else order_by)
        + ['landing_date desc', 'ingested_at desc'] -%}
select *
from {{ relation }}
qualify row_number() over (
    partition by {{ keys | join(', ') }}
    order by {{ order_by | join(', ') }}
) = 1
{%- endmacro %}
