"""The dbt marts as assets: daily-partitioned marts rebuild the business dates a run touched."""

import json
import shutil
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import dagster as dg
import pyarrow as pa
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets
from dagster_dbt.dbt_project import using_dagster_dev

from lakehouse.gold.dbt_resource import LakehouseDbtCliResource
from lakehouse.gold.invoke import DBT_EXECUTABLE
from lakehouse.gold.project import (
    DBT_PROJECT_DIR,
    PARTITIONED_MARTS,
    project_files,
    rebuild_window,
)
from lakehouse.gold.publication import PublicationGate
from lakehouse.gold.run_context import RunContext
from lakehouse.gold.translator import LakehouseDbtTranslator, staging_specs
from lakehouse.gold.window import DateWindow
from lakehouse.lake import DeltaStore
from lakehouse.lake.resource import LakehouseResource
from lakehouse.policy.assets import STEP_SECONDS_TAG

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
DBT_POOL = "dbt_gold"
"""One dbt build at a time: two runs never build the same mart at once."""
DBT_BUILD_TAGS = {STEP_SECONDS_TAG: "1.5"}
"""A dbt build's own cost for the executor's order: dbt's set-up, hooks and every node's compile
and events, ~1.5 s for the daily marts on two cores (``make bench``), whatever the data."""


def _delta_metadata(store: DeltaStore, key: dg.AssetKey) -> dict[str, object]:
    if not store.exists(key.path):
        return {}
    table = store.table(key.path)
    actions = pa.table(table.get_add_actions(flatten=True))
    rows = sum(v or 0 for v in actions.column("num_records").to_pylist())
    return {
        "dagster/row_count": rows,
        "dagster/uri": store.uri(key.path),
        "delta_version": table.version(),
        "files": actions.num_rows,
    }


def _build(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    lakehouse: LakehouseResource,
    window: DateWindow | None = None,
) -> Iterator[object]:
    """``dbt build`` of the step's marts and their tests for ``window`` (None: all dates).

    Write-audit-publish: dbt publishes a mart only when its error-severity tests passed, so
    its Output is emitted only then (``PublicationGate``). A blocked mart keeps its published
    version, its candidate stays in staging, the marts downstream are skipped by dbt, and the
    step fails naming the blocked marts and their failing tests.
    """
    gate = PublicationGate(lakehouse.store(), _load_manifest(), _delta_metadata)
    # The root and window go in a file of the invocation's target path, not in --vars: the
    # vars are part of dbt's parse state, so a new window every day forced a full re-parse.
    target = _target_path(context)
    RunContext(lakehouse.root, window, lakehouse.duckdb_memory_limit).write(target)
    invocation = dbt.cli(["build"], context=context, raise_on_error=False, target_path=target)
    for event in invocation.stream():
        key = None
        if isinstance(event, dg.Output):
            key = context.asset_key_for_output(event.output_name)
        yield from gate.receive(event, key)
    yield from gate.finish()
    blocked = gate.blocked()
    if blocked:
        raise dg.Failure(
            description=(
                f"not published because error-severity dbt tests failed: "
                f"{'; '.join(map(str, blocked))}. Consumers still read the previous version and "
                "the marts downstream were skipped; inspect the candidate, fix the data or the "
                f"model, and re-run (dbt's artifacts and log: {target})."
            ),
            metadata={
                "blocked_marts": [b.key.to_user_string() for b in blocked],
                "failing_tests": sorted(t for b in blocked for t in b.tests),
            },
            allow_retries=False,
        )
    error = invocation.get_error()
    if error is not None:
        raise error
    unpublished = gate.unpublished()
    if unpublished:
        raise dg.Failure(
            f"dbt built {', '.join(k.to_user_string() for k in unpublished)} but did not publish "
            f"them (their candidate is still in staging); see the dbt log in {target}"
        )
    # A step's target folder (artifacts, compiled SQL, dbt's debug log: ~2 MB) is kept only
    # when the step failed, for inspection; one per successful step would fill the disk.
    shutil.rmtree(target, ignore_errors=True)


def _target_path(context: dg.AssetExecutionContext) -> Path:
    """A dbt target path of this step's own (as dagster-dbt names them), absolute."""
    name = f"{context.op_execution_context.op.name}-{context.run.run_id[:7]}-{uuid.uuid4().hex[:7]}"
    return DBT_PROJECT.project_dir / "target" / name


def _landing_window(context: dg.AssetExecutionContext) -> DateWindow:
    window = context.partition_time_window
    return DateWindow(window.start.date(), (window.end - timedelta(days=1)).date())


def _dbt() -> LakehouseDbtCliResource:
    """The dbt CLI of this environment, on the project (never whichever ``dbt`` PATH finds)."""
    return LakehouseDbtCliResource(
        project_dir=str(DBT_PROJECT_DIR),
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=DBT_EXECUTABLE,
    )


def manifest_is_stale(project_dir: Path, manifest: Path) -> bool:
    """Whether a file of the dbt project in ``project_dir`` changed after ``manifest`` was
    written (or there is no manifest)."""
    if not manifest.is_file():
        return True
    written = manifest.stat().st_mtime
    return any(f.stat().st_mtime > written for f in project_files(project_dir))


def _parse_if_dev() -> None:
    """Under ``dg dev`` / ``dg check defs``, re-parse the manifest when a project file changed
    since it was written (``DbtProject.prepare_if_dev`` parses on every load, with the ``dbt``
    on PATH, which may be another environment's or none)."""
    if using_dagster_dev() and manifest_is_stale(DBT_PROJECT_DIR, DBT_PROJECT.manifest_path):
        _dbt().cli(["parse"], target_path=DBT_PROJECT.target_path).wait()


def build_gold_defs(partitions: dg.PartitionsDefinition) -> dg.Definitions:
    """Gold assets from the dbt manifest (prepared by `make install`), with their dbt tests.

    Under ``dg dev`` the manifest is re-parsed when the code location loads after a project
    file changed, so an edited model shows after "Reload definitions"."""
    _parse_if_dev()
    translator = LakehouseDbtTranslator()
    manifest = DBT_PROJECT.manifest_path

    @dbt_assets(
        manifest=manifest,
        project=DBT_PROJECT,
        select=" ".join(PARTITIONED_MARTS),
        partitions_def=partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        dagster_dbt_translator=translator,
        pool=DBT_POOL,
        op_tags=DBT_BUILD_TAGS,
        name="gold_daily_marts",
    )
    def gold_daily_marts(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, lakehouse: LakehouseResource
    ):
        """Rebuild the business dates whose orders landed in the run's partitions (late rows
        included), replacing only those days of the partitioned marts."""
        landing = _landing_window(context)
        window = rebuild_window(lakehouse.root, landing, lakehouse.storage_options) or landing
        context.log.info(f"landing days {landing.start}..{landing.end} → rebuild {window}")
        yield from _build(context, dbt, lakehouse, window)

    @dbt_assets(
        manifest=manifest,
        project=DBT_PROJECT,
        # Not the staging views either: dagster-dbt gives their tests no check (they are no
        # assets), so each run logged them as stray observations with a warning. Their
        # keys and references are silver's own checks (unique_keys, referential_integrity).
        exclude=" ".join([*PARTITIONED_MARTS, "config.materialized:ephemeral"]),
        dagster_dbt_translator=translator,
        pool=DBT_POOL,
        op_tags=DBT_BUILD_TAGS,
        name="gold_marts",
    )
    def gold_marts(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, lakehouse: LakehouseResource
    ):
        """Rebuild the whole-history marts (customer value and churn features)."""
        yield from _build(context, dbt, lakehouse)

    return dg.Definitions(
        assets=[gold_daily_marts, gold_marts, *staging_specs(_load_manifest())],
        resources={"dbt": _dbt()},
    )


def _load_manifest() -> dict[str, object]:
    return json.loads(DBT_PROJECT.manifest_path.read_text())
