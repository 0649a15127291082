-- Each customer's churn features as they were known at the end of each snapshot day D: only
-- the order versions that had landed by D, of orders placed on or before D, the latest such
-- version of each order. A snapshot never changes once D has landed, so training on it leaks
-- nothing from later days.
with versions as (

    select
        order_id,
        customer_id,
        status,
        order_total,
        currency,
        order_date,
        updated_at,
        landing_date,
        ingested_at
    from {{ ref('stg_shop__orders_history') }}

),

landed as (

    select
        min(landing_date) as first_day,
        max(landing_date) as last_day
    from versions

),

-- Every day from the first landing to the last, also one that landed nothing.
every_day as (

    select
        cast(unnest(generate_series(first_day, last_day, interval 1 day)) as date)
            as snapshot_date
    from landed

),

snapshot_days as (

    select snapshot_date from every_day
    where {{ partition_window_filter('snapshot_date') }}

),

known_versions as (

    select
        snapshot_days.snapshot_date,
        versions.*
    from snapshot_days
    inner join versions
        on
            snapshot_days.snapshot_date >= versions.landing_date
            and snapshot_days.snapshot_date >= versions.order_date

),

-- The version of each order known on the day (the same rule as stg_shop__orders over all days).
known_orders as (

    {{ latest_version(
        'known_versions', ['snapshot_date', 'order_id'], order_by=['updated_at desc nulls last']
    ) }}

),

-- customer_lifetime_value as known on the day: per customer and currency, orders not cancelled.
lifetime_value as (

    select
        snapshot_date,
        customer_id,
        currency,
        max(order_date) as last_order_date,
        count(*) as orders,
        sum(order_total) as lifetime_revenue
    from known_orders
    where status != 'cancelled'
    group by snapshot_date, customer_id, currency

),

-- A customer who moved country has one row per currency: monetary is taken in the currency
-- of their latest order (ties: the larger revenue, then the currency code).
primary_currency as (

    select
        snapshot_date,
        customer_id,
        currency,
        lifetime_revenue
    from lifetime_value
    qualify row_number() over (
        partition by snapshot_date, customer_id
        order by last_order_date desc, lifetime_revenue desc, currency asc
    ) = 1

),

per_customer as (

    select
        snapshot_date,
        customer_id,
        max(last_order_date) as last_order_date,
        sum(orders) as orders
    from lifetime_value
    group by snapshot_date, customer_id

),

final as (

    select
        per_customer.snapshot_date,
        per_customer.customer_id,
        per_customer.last_order_date,
        date_diff('day', per_customer.last_order_date, per_customer.snapshot_date)
            as recency_days,
        cast(per_customer.orders as bigint) as frequency,
        cast(primary_currency.lifetime_revenue as decimal(18, 2)) as monetary,
        primary_currency.currency
    from per_customer
    inner join primary_currency
        on
            per_customer.snapshot_date = primary_currency.snapshot_date
            and per_customer.customer_id = primary_currency.customer_id

)

select * from final
