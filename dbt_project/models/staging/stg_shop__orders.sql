with source as (

    select * from {{ source('shop', 'orders') }}

),

renamed as (

    select
        order_id,
        customer_id,
        status,
        order_total,
        currency,
        created_at,
        updated_at,
        order_date,
        _landing_date as landing_date,
        _ingested_at as ingested_at
    from source

)

-- Silver deduplicates within a landing day only: an order delivered again on a later day
-- (a status change, a re-delivery) has one row per such day. The latest version wins.
{{ latest_version('renamed', ['order_id'], order_by=['updated_at desc nulls last']) }}
