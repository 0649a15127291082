with orders as (

    select
        customer_id,
        currency,
        order_date,
        order_total
    from {{ ref('stg_shop__orders') }}
    where status != 'cancelled'

),

per_customer as (

    select
        customer_id,
        currency,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        count(*) as orders,
        sum(order_total) as lifetime_revenue
    from orders
    group by customer_id, currency

),

final as (

    select
        customer_id,
        currency,
        first_order_date,
        last_order_date,
        orders,
        cast(lifetime_revenue as decimal(18, 2)) as lifetime_revenue,
        cast(round(lifetime_revenue / orders, 2) as decimal(18, 2)) as average_order_value
    from per_customer

)

select * from final
