with orders as (

    select * from {{ ref('stg_shop__orders') }}
    where {{ partition_window_filter('order_date') }}

),

customers as (

    select
        customer_id,
        country,
        valid_from,
        valid_to,
        is_first_version
    from {{ ref('stg_shop__customers_history') }}

),

-- The customer's country when the order was placed (type-2 point-in-time join), so a later
-- change never rewrites a past day, whatever order days are built in. An order placed before
-- the customer's first known version takes that version.
orders_by_country as (

    select
        orders.order_date,
        coalesce(customers.country, 'unknown') as country,
        orders.currency,
        orders.order_total,
        orders.status = 'cancelled' as is_cancelled
    from orders
    left join customers
        on
            orders.customer_id = customers.customer_id
            and (orders.created_at >= customers.valid_from or customers.is_first_version)
            and (orders.created_at < customers.valid_to or customers.valid_to is null)

),

daily as (

    select
        order_date,
        country,
        currency,
        count(*) as orders,
        count(*) filter (where is_cancelled) as cancellations,
        coalesce(sum(order_total) filter (where not is_cancelled), 0) as revenue
    from orders_by_country
    group by order_date, country, currency

),

final as (

    select
        order_date,
        country,
        currency,
        orders,
        cancellations,
        cast(revenue as decimal(18, 2)) as revenue,
        cast(round(revenue / nullif(orders - cancellations, 0), 2) as decimal(18, 2))
            as average_order_value
    from daily

)

select * from final
