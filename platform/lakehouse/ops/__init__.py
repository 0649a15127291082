"""Operations on the running lakehouse (history, rollback, ...): functions the CLI and jobs call."""
