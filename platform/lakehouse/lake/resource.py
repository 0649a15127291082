"""The lakehouse resource: where tables and landing files live, how to reach them, the PII key."""

import dagster as dg
from pydantic import Field

from lakehouse.lake import duck
from lakehouse.lake.branch_store import BranchStore
from lakehouse.lake.store import DeltaStore
from lakehouse.settings import DEV_PII_KEY, DUCKDB_MEMORY_LIMIT, Settings


class LakehouseResource(dg.ConfigurableResource):
    """Access to the Delta tables under ``root`` and the landing zone under ``landing``.

    Built from the settings by :meth:`from_settings`; credentials arrive as ``dg.EnvVar`` (the
    UI shows the variable's name, never its value) and are handed to the store, not to the
    process environment.
    """

    root: str
    landing: str
    pii_key: str
    user: str = "developer"
    dagster_url: str = "http://127.0.0.1:3000"
    storage: dict[str, str] = Field(
        default_factory=dict, description="Storage options without credentials (region, ...)."
    )
    aws_access_key_id: str = ""
    aws_secret_access_key: str = ""
    aws_session_token: str = ""
    branch: str = Field(
        default="", description="The branch lakehouse ``root`` is (LAKEHOUSE_BRANCH), if any."
    )
    duckdb_memory_limit: str = Field(
        default=DUCKDB_MEMORY_LIMIT,
        description="What DuckDB holds before it spills to local disk "
        "(LAKEHOUSE_DUCKDB_MEMORY_LIMIT).",
    )

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """Cap the step process's DuckDB database at ``duckdb_memory_limit``."""
        duck.limit_memory(self.duckdb_memory_limit)

    @property
    def storage_options(self) -> dict[str, str]:
        """deltalake / pyarrow storage options: ``storage`` plus the credentials that are set."""
        secrets = {
            "AWS_ACCESS_KEY_ID": self.aws_access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.aws_secret_access_key,
            "AWS_SESSION_TOKEN": self.aws_session_token,
        }
        return {**self.storage, **{k: v for k, v in secrets.items() if v}}

    def store(self) -> DeltaStore:
        """A Delta store rooted at ``root``; on a branch, one that writes only the branch."""
        if self.branch:
            return BranchStore(self.root, self.storage_options)
        return DeltaStore(self.root, self.storage_options)

    @classmethod
    def from_settings(cls, settings: Settings) -> "LakehouseResource":
        """The resource for an environment; secrets (PII key, credentials) as ``dg.EnvVar``."""
        pii_key = dg.EnvVar("LAKEHOUSE_PII_KEY") if settings.pii_key_from_env else DEV_PII_KEY
        secrets = {name.lower(): dg.EnvVar(name) for name in settings.secret_storage_variables}
        return cls(
            root=settings.root,
            landing=settings.landing,
            pii_key=pii_key,
            user=settings.user,
            dagster_url=settings.operations.dagster_url,
            storage=settings.public_storage_options,
            branch=settings.branch,
            duckdb_memory_limit=settings.duckdb_memory_limit,
            **secrets,
        )
