with source as (

    select * from {{ source('shop', 'customers') }}

),

renamed as (

    select
        customer_id,
        name as customer_name,
        email,
        phone,
        country,
        signup_date,
        updated_at,
        _landing_date as landing_date
    from source

)

select * from renamed
