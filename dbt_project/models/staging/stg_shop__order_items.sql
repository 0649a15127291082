with source as (

    select * from {{ source('shop', 'order_items') }}

),

renamed as (

    select
        order_id,
        line_number,
        product_id,
        quantity,
        unit_price,
        currency,
        line_total,
        _landing_date as landing_date,
        _ingested_at as ingested_at
    from source

)

-- Silver deduplicates within a landing day only; the line delivered last wins.
{{ latest_version('renamed', ['order_id', 'line_number']) }}
