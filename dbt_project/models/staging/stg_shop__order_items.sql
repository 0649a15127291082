with source as (

    select * from {{ source('shop', 'order_items') }}
    -- A daily run (vars min_date/max_date) reads the lines landed since its first date only:
    -- a line never lands before its order is created, so every line of the window's orders is
    -- kept, and the scan skips older landing days (a run's cost follows the day, not the table).
    where {{ landed_since_window_filter('_landing_date') }}

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
