with orders as (

    select
        order_id,
        order_date,
        created_at
    from {{ ref('stg_shop__orders') }}
    where
        status != 'cancelled'
        and {{ partition_window_filter('order_date') }}

),

order_items as (

    select
        order_id,
        product_id,
        quantity,
        unit_price,
        currency
    from {{ ref('stg_shop__order_items') }}

),

products as (

    select
        product_id,
        category,
        valid_from,
        valid_to,
        is_first_version
    from {{ ref('stg_shop__products_history') }}

),

lines as (

    select
        orders.order_date,
        coalesce(products.category, 'unknown') as category,
        order_items.currency,
        order_items.order_id,
        order_items.quantity,
        order_items.quantity * order_items.unit_price as line_revenue
    from order_items
    inner join orders on order_items.order_id = orders.order_id
    -- The product's category when the order was placed (type-2 point-in-time join); an
    -- order placed before the product's first known version takes that version.
    left join products
        on
            order_items.product_id = products.product_id
            and (orders.created_at >= products.valid_from or products.is_first_version)
            and (orders.created_at < products.valid_to or products.valid_to is null)

),

final as (

    select
        order_date,
        category,
        currency,
        cast(sum(line_revenue) as decimal(18, 2)) as revenue,
        cast(sum(quantity) as bigint) as units,
        count(distinct order_id) as orders
    from lines
    group by order_date, category, currency

)

select * from final
