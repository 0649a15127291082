"""Running the lakehouse: jobs, sensors, schedules, alerts, history, rollback, backfill,
maintenance, headless materialisation and the dev instance's storage. Sits above the layers;
imports any of them."""
