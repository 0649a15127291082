{%- set as_of = date_var('as_of') -%}

-- The features as known on one day: the snapshot of the var as_of, else the latest snapshot
-- (the last landed day). One definition of the features: customer_churn_feature_snapshots.
with snapshots as (

    select * from {{ ref('customer_churn_feature_snapshots') }}

),

as_of as (

    {% if as_of is none -%}
        select max(snapshot_date) as as_of_date from snapshots
    {%- else -%}
        select date '{{ as_of }}' as as_of_date
    {%- endif %}

),

final as (

    select
        snapshots.customer_id,
        as_of.as_of_date,
        snapshots.last_order_date,
        snapshots.recency_days,
        snapshots.frequency,
        snapshots.monetary,
        snapshots.currency
    from snapshots
    inner join as_of on snapshots.snapshot_date = as_of.as_of_date

)

select * from final
