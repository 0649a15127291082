{#- The staged columns of silver orders (current versions and landing-day history alike). -#}
{% macro shop_orders_columns() -%}
    order_id,
    customer_id,
    status,
    order_total,
    currency,
    created_at,
    updated_at,
    order_date,
    _landing_date as landing_date,
    _ingested_at as ingested_at
{%- endmacro %}
