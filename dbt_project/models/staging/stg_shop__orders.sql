with source as (

    select * from {{ source('shop', 'orders') }}

),

renamed as (

    select {{ shop_orders_columns() }}
    from source

)

-- Silver deduplicates within a landing day only: an order delivered again on a later day
-- (a status change, a re-delivery) has one row per such day. The latest version wins.
-- order_date (the day of created_at, fixed for an order) is part of the key so that a mart's
-- filter on order_date is pushed below the deduplication into the Delta scan: a daily run
-- reads the files of its dates, not the whole table (see bench/RESULTS.md).
{{ latest_version('renamed', ['order_id', 'order_date'], order_by=['updated_at desc nulls last']) }}
