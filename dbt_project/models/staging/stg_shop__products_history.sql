with source as (

    select * from {{ source('shop', 'products_history') }}

),

renamed as (

    select
        product_id,
        name as product_name,
        category,
        price as list_price,
        currency,
        updated_at,
        valid_from,
        valid_to,
        _landing_date as landing_date
    from source

),

-- A version delivered again on a later landing day is one version: silver gives its earlier
-- deliveries an empty interval (valid_to = valid_from), which no point in time falls into.
versions as (

    select * from renamed
    where valid_to is null or valid_to > valid_from

)

select
    *,
    row_number() over (partition by product_id order by valid_from) = 1 as is_first_version
from versions
