with source as (

    select * from {{ source('shop', 'products') }}

),

renamed as (

    select
        product_id,
        name as product_name,
        category,
        price as list_price,
        currency,
        updated_at,
        _landing_date as landing_date
    from source

)

select * from renamed
