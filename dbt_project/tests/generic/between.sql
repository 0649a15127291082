{#-
  Fails for each row whose `column_name` lies outside [min_value, max_value] (either bound may be
  omitted; inclusive=false excludes the bounds themselves). Nulls pass: test them with not_null.
-#}
{% test between(model, column_name, min_value=none, max_value=none, inclusive=true) %}

{%- if min_value is none and max_value is none -%}
  {{ exceptions.raise_compiler_error("test between on " ~ column_name ~ ": give min_value, max_value or both") }}
{%- endif -%}
{%- set low = '>=' if inclusive else '>' -%}
{%- set high = '<=' if inclusive else '<' -%}

select {{ column_name }}
from {{ model }}
where not (
    true
    {%- if min_value is not none %}
    and {{ column_name }} {{ low }} {{ min_value }}
    {%- endif %}
    {%- if max_value is not none %}
    and {{ column_name }} {{ high }} {{ max_value }}
    {%- endif %}
)

{% endtest %}
