with source as (

    select * from {{ source('shop', 'orders_history') }}

),

renamed as (

    select {{ shop_orders_columns() }}
    from source

)

-- Every version, undeduplicated: a mart picks the latest one known at its point in time.
select * from renamed
