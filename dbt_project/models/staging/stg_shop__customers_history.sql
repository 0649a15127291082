with source as (

    select * from {{ source('shop', 'customers_history') }}

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
    row_number() over (partition by customer_id order by valid_from) = 1 as is_first_version
from versions
