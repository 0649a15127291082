{%- set as_of = date_var('as_of') -%}

with lifetime_value as (

    select * from {{ ref('customer_lifetime_value') }}

),

as_of as (

    {% if as_of is none -%}
        select max(last_order_date) as as_of_date from lifetime_value
    {%- else -%}
        select date '{{ as_of }}' as as_of_date
    {%- endif %}

),

-- A customer who moved country has one row per currency: monetary is taken in the currency
-- of their latest order (ties: the larger revenue, then the currency code).
primary_currency as (

    select
        customer_id,
        currency,
        lifetime_revenue
    from lifetime_value
    qualify row_number() over (
        partition by customer_id
        order by last_order_date desc, lifetime_revenue desc, currency asc
    ) = 1

),

per_customer as (

    select
        customer_id,
        max(last_order_date) as last_order_date,
        sum(orders) as orders
    from lifetime_value
    group by customer_id

),

final as (

    select
        per_customer.customer_id,
        as_of.as_of_date,
        per_customer.last_order_date,
        date_diff('day', per_customer.last_order_date, as_of.as_of_date) as recency_days,
        cast(per_customer.orders as bigint) as frequency,
        primary_currency.lifetime_revenue as monetary,
        primary_currency.currency
    from per_customer
    inner join primary_currency on per_customer.customer_id = primary_currency.customer_id
    cross join as_of

)

select * from final
