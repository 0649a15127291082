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

),

-- Silver deduplicates within a landing day only; the event delivered last wins.
latest as (

    select *
    from renamed
    qualify row_number() over (
        partition by event_id
        order by landing_date desc, ingested_at desc
    ) = 1

)

select * from latest
