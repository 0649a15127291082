with source as (

    select * from {{ source('shop', 'payments') }}

),

renamed as (

    select
        payment_id,
        order_id,
        method as payment_method,
        amount,
        currency,
        status as payment_status,
        paid_at,
        payment_date,
        _landing_date as landing_date,
        _ingested_at as ingested_at
    from source

)

-- Silver deduplicates within a landing day only; the latest attempt record wins.
{{ latest_version('renamed', ['payment_id'], order_by=['paid_at desc nulls last']) }}
