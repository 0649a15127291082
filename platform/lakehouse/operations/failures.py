"""A failed step's reason in one line, as people read it (alerts, headless runs)."""

from dagster._core.execution.plan.objects import StepFailureData


def failure_text(data: StepFailureData) -> str:
    """The failure's own description, without the exception's module path in front."""
    if data.user_failure_data is not None and data.user_failure_data.description:
        return data.user_failure_data.description.strip()
    if data.error is None:
        return "unknown error"
    message = data.error.message.strip()
    prefix, _, rest = message.partition(": ")
    cls_name = data.error.cls_name
    return rest if cls_name and prefix.endswith(cls_name) else message
