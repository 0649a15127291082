with source as (

    select * from {{ source('shop', 'orders_history') }}

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

-- Every version, undeduplicated: a mart picks the latest one known at its point in time.
select * from renamed
