with source as (

    select * from {{ source('shop', 'web_events') }}

),

renamed as (

    select
        event_id,
        session_id,
        customer_id,
        event_type,
        url,
        device,
        occurred_at,
        event_date,
        _landing_date as landing_date,
        _ingested_at as ingested_at
    from source

)

-- Silver deduplicates within a landing day only; the event delivered last wins.
{{ latest_version('renamed', ['event_id']) }}
