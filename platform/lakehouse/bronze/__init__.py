"""Bronze: a day's landing files taken in as landed (text), one Delta table per source,
partitioned by landing day; rejected files go to quarantine. ``assets.py`` is its Dagster face."""
