"""Running the lakehouse: jobs, sensors, schedules, alerts, history, rollback, backfill,
maintenance and headless materialisation. Sits above the layers; imports any of them."""
