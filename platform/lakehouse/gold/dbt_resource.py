"""The dbt CLI resource of the gold assets: dbt in the step's process, no adapter set-up."""

from collections.abc import Sequence
from importlib.metadata import version as installed_version
from pathlib import Path

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliInvocation, DbtCliResource
from dagster_dbt.asset_utils import (
    extract_runtime_selection_from_args,
    get_updated_cli_invocation_params_for_context,
)
from dagster_dbt.dagster_dbt_translator import validate_opt_translator
from dagster_dbt.dbt_manifest import DbtManifestParam, validate_manifest
from packaging import version
from pydantic import Field

from lakehouse.gold.dbt_in_process import InProcessDbt
from lakehouse.gold.dbt_parse_cache import (
    PARSES,
    ParseKey,
    project_args,
    reuse_parse_state,
    starts_from_saved_parse,
)
from lakehouse.gold.dbt_warmup import warm_dbt

RUN_RESULTS_FILE = "run_results.json"


class LakehouseDbtCliResource(DbtCliResource):
    """``DbtCliResource`` that runs dbt in the step's process and skips what the platform does
    not use.

    - dbt runs in process (``InProcessDbt``) unless ``in_process`` is off: a subprocess
      re-imports dbt, dbt-duckdb and the plugin and reloads the project each time, most of a
      small day's gold step (``make bench``).
    - No dbt Core adapter is built in the run process before each command: dagster-dbt 0.29
      does it (parsing the project's macros, ~4 s on two cores) only to serve
      ``fetch_column_metadata`` and ``fetch_row_counts``; the platform's row counts and
      versions come from the Delta log and the marts live in Delta tables, not in the
      adapter's database.
    - dbt's version is the installed dbt-core's, not a ``dbt --version`` subprocess per step.
    - A build starts from the project's saved parse (``dbt_parse_cache``): dbt skips parsing
      and writes no manifest; dbt's imports and that parse are loaded in the background when
      the run sets its resources up (``dbt_warmup``).
    """

    in_process: bool = Field(default=True, description="run dbt inside the step's process")

    def _profile_args(self) -> list[str]:
        """``--profile`` / ``--target`` when the resource sets them."""
        return [
            *(["--profile", self.profile] if self.profile else []),
            *(["--target", self.target] if self.target else []),
        ]

    def _parse_key(self) -> ParseKey:
        project_dir = Path(self.project_dir)
        flags = (*self.global_config_flags, *self._profile_args())
        return ParseKey(project_dir, Path(self.profiles_dir or project_dir), flags)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """Set up as dagster-dbt does, then start dbt's warm-up (``dbt_warmup``): a run sets
        up its resources before its first step, so bronze and silver overlap it."""
        super().setup_for_execution(context)
        if self.in_process:
            warm_dbt(self._parse_key())

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None

    @property
    def _cli_version(self) -> version.Version:  # type: ignore[override]
        return version.parse(installed_version("dbt-core"))

    def cli(
        self,
        args: Sequence[str],
        *,
        raise_on_error: bool = True,
        manifest: DbtManifestParam | None = None,
        dagster_dbt_translator: DagsterDbtTranslator | None = None,
        context: dg.OpExecutionContext | dg.AssetExecutionContext | None = None,
        target_path: Path | None = None,
    ) -> DbtCliInvocation:
        """``dbt <args>`` as ``DbtCliResource.cli`` runs it (the step's selection, a target
        path of its own, partial parsing), in this process unless configured otherwise."""
        if not self.in_process:
            return super().cli(
                args,
                raise_on_error=raise_on_error,
                manifest=manifest,
                dagster_dbt_translator=dagster_dbt_translator,
                context=context,
                target_path=target_path,
            )
        translator = validate_opt_translator(dagster_dbt_translator) or DagsterDbtTranslator()
        cleaned, selects, excludes = extract_runtime_selection_from_args(args)
        params = get_updated_cli_invocation_params_for_context(
            context=context,
            manifest=validate_manifest(manifest) if manifest else {},
            dagster_dbt_translator=translator,
            runtime_selects=selects,
            runtime_excludes=excludes,
        )
        project_dir = Path(
            params.dbt_project.project_dir if params.dbt_project else self.project_dir
        )
        target = target_path or self._get_unique_target_path(context=context)
        if not target.is_absolute():
            target = project_dir / target
        key = self._parse_key()
        parsed = None
        if key.project_dir.resolve() == project_dir.resolve() and starts_from_saved_parse(cleaned):
            parsed = PARSES.manifest(key)
        if parsed is None:
            reuse_parse_state(project_dir, target)
        else:
            target.mkdir(parents=True, exist_ok=True)
        command = [
            self.dbt_executable,
            *self.global_config_flags,
            *cleaned,
            *self._profile_args(),
            *(["--no-write-json"] if parsed is not None else []),
            *params.selection_args,
            *(
                ["--indirect-selection", params.indirect_selection]
                if params.indirect_selection
                else []
            ),
            *project_args(project_dir, Path(self.profiles_dir or project_dir), target),
        ]
        return DbtCliInvocation(
            process=InProcessDbt(  # type: ignore[arg-type]
                command,
                manifest=parsed,
                run_results=target / RUN_RESULTS_FILE if parsed is not None else None,
            ),
            manifest=params.manifest,
            dagster_dbt_translator=params.dagster_dbt_translator,
            project_dir=project_dir,
            target_path=target,
            raise_on_error=raise_on_error,
            context=context,
            adapter=None,
            cli_version=self._cli_version,
            project=params.dbt_project,
        )
