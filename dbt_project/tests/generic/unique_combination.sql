{#- Fails for each combination of `columns` that occurs more than once (a composite key). -#}
{% test unique_combination(model, columns) %}

with keyed as (
    select {{ columns | join(', ') }}
    from {{ model }}
)

select
    {{ columns | join(', ') }},
    count(*) as occurrences
from keyed
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
