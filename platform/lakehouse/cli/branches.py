"""``lakehouse branch``: branch lakehouses, build what changed, diff, canary, promote, roll back."""

import argparse
from pathlib import Path

from lakehouse.settings import Settings, load_settings


def _name(args: argparse.Namespace, settings: Settings) -> str:
    name = args.name or args.branch or settings.branch
    if not name:
        raise ValueError("name a branch: lakehouse branch <command> NAME (or LAKEHOUSE_BRANCH)")
    return name


def _repo(args: argparse.Namespace) -> Path:
    from lakehouse.settings import project_dir

    return Path(args.repo) if args.repo else project_dir()


def _dbt_project(args: argparse.Namespace) -> Path:
    return Path(args.dbt_project) if args.dbt_project else _repo(args) / "dbt_project"


def _keep_base_manifest(args: argparse.Namespace, branch, settings: Settings) -> str:
    """Parse the base's dbt project (at ``--base-commit``, else as checked out) into the branch."""
    import tempfile

    from lakehouse.branches.gold import save_base_manifest

    with tempfile.TemporaryDirectory(prefix="branch-base-") as scratch:
        project = _dbt_project(args)
        if args.base_commit and not args.dbt_project:
            from lakehouse.branches.gold import export_project

            project = export_project(_repo(args), branch.commit, Path(scratch))
        return save_base_manifest(
            branch, project, Path(scratch) / "target", settings.storage_options
        )


def _cmd_create(args: argparse.Namespace) -> int:
    from lakehouse.branches.pins import create_branch, git_commit
    from lakehouse.branches.session import base_settings

    settings = base_settings(load_settings())
    if args.source and args.source != settings.env.value:
        raise ValueError(
            f"--from {args.source}: the settings point at {settings.env.value}; run with "
            f"LAKEHOUSE_ENV={args.source} and its LAKEHOUSE_ROOT to branch from it"
        )
    if args.base_commit:
        from lakehouse.contracts.revisions import resolve_revision

        commit = resolve_revision(_repo(args), args.base_commit)
    else:
        commit = git_commit(_repo(args))
    branch = create_branch(settings, args.name, commit)
    manifest = _keep_base_manifest(args, branch, settings)
    commit = branch.commit[:10] or "unknown"
    print(f"branch {branch.name} at {branch.root}: reads {len(branch.tables)} base tables")
    print(f"at their current versions (commit {commit}); nothing copied")
    print(f"the base's dbt manifest, for state:modified: {manifest}")
    print(f"work on it: LAKEHOUSE_BRANCH={branch.name}, or `lakehouse branch build {branch.name}`")
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    from lakehouse.branches.pins import list_branches

    for branch in list_branches(load_settings()):
        built = ", ".join(branch.built) or "nothing built"
        print(f"{branch.name:<20} {branch.created_at}  {branch.created_by:<12} {built}")
    return 0


def _cmd_drop(args: argparse.Namespace) -> int:
    from lakehouse.branches.pins import drop_branch

    drop_branch(load_settings(), _name(args, load_settings()))
    print(f"dropped branch {args.name}; the base is untouched")
    return 0


def _build(args: argparse.Namespace, start=None, end=None) -> tuple[int, Settings]:
    from lakehouse.branches.build import build_branch
    from lakehouse.branches.pins import load_branch
    from lakehouse.branches.session import branch_settings, sources_dir
    from lakehouse.definitions import build_definitions

    settings = load_settings()
    name = _name(args, settings)
    on_branch = branch_settings(settings, name)
    branch = load_branch(on_branch, name)
    outcome = build_branch(
        build_definitions(on_branch),
        on_branch,
        branch,
        _repo(args),
        sources_dir(on_branch),
        start=start or getattr(args, "start", None),
        end=end or getattr(args, "end", None),
        instance_home=args.instance,
        dbt_project=_dbt_project(args),
    )
    for line in outcome.plan.render():
        print(line)
    for check in outcome.blocking_failures:
        print(f"blocking check failed: {check['asset']} {check['check']} ({check['partition']})")
    if outcome.plan.assets:
        print(f"build {'ok' if outcome.ok else 'FAILED'}: {len(outcome.checks)} check result(s)")
    return (0 if outcome.ok else 1), on_branch


def _cmd_build(args: argparse.Namespace) -> int:
    return _build(args)[0]


def _diffs(settings: Settings, name: str, tables: list[str] | None = None):
    from lakehouse.branches.diff import diff_branch
    from lakehouse.branches.pins import load_branch
    from lakehouse.branches.session import specs

    branch = load_branch(settings, name)
    return diff_branch(branch, specs(settings), settings.storage_options, tables)


def _render(diffs, fmt: str, title: str) -> str:
    from lakehouse.branches.report import render_json, render_markdown

    return render_json(diffs) if fmt == "json" else render_markdown(diffs, title)


def _cmd_diff(args: argparse.Namespace) -> int:
    settings = load_settings()
    name = _name(args, settings)
    diffs = _diffs(settings, name, args.table)
    print(_render(diffs, args.format, f"Data diff of branch {name} against its base"))
    return 1 if any(d.differs for d in diffs) else 0


def _cmd_canary(args: argparse.Namespace) -> int:
    import yaml

    from lakehouse.branches.report import Threshold, evaluate
    from lakehouse.operations.headless import landed_days

    settings = load_settings()
    texts = list(args.threshold or [])
    if args.thresholds:
        declared = yaml.safe_load(Path(args.thresholds).read_text(encoding="utf-8")) or {}
        texts += list(declared.get("thresholds", []) if isinstance(declared, dict) else declared)
    thresholds = [Threshold.parse(t) for t in texts]
    days = landed_days(settings.landing, settings.storage_options)
    if not days:
        raise ValueError(f"no landed days under {settings.landing}: nothing to canary")
    window = days[-args.days :]
    print(f"canary on {window[0]}..{window[-1]} ({len(window)} landed day(s))")
    built, _ = _build(args, window[0], window[-1])
    name = _name(args, settings)
    diffs = _diffs(settings, name)
    verdicts = evaluate(thresholds, diffs)
    passed = built == 0 and not any(v.startswith("FAIL") for v in verdicts)
    report = _render(diffs, "md", f"Canary of branch {name}: {'PASS' if passed else 'FAIL'}")
    report += "\n" + "\n".join(["### Thresholds", "", *(f"- {v}" for v in verdicts)]) + "\n"
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(report, encoding="utf-8")
        print(f"canary report written to {args.output}")
    print(report)
    print(f"canary {'PASS' if passed else 'FAIL'}")
    return 0 if passed else 1


def _cmd_promote(args: argparse.Namespace) -> int:
    from lakehouse.branches.pins import git_commit, load_branch
    from lakehouse.branches.promote import promote

    settings = load_settings()
    name = _name(args, settings)
    diffs = _diffs(settings, name)
    promotion = promote(settings, load_branch(settings, name), diffs, git_commit(_repo(args)))
    for table, (before, after) in promotion.versions.items():
        print(f"promoted {table}: base version {before} -> {after}")
    print(f"recorded in {promotion.audit_uri}; undo with `lakehouse branch rollback {name}`")
    return 0


def _cmd_rollback(args: argparse.Namespace) -> int:
    from lakehouse.branches.promote import rollback

    settings = load_settings()
    record = rollback(settings, _name(args, settings))
    for table, versions in record["tables"].items():
        print(f"restored {table} to version {versions['before']} (promoted as {versions['after']})")
    return 0


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add ``lakehouse branch ...`` to the ``lakehouse`` parser."""
    from lakehouse.cli.arguments import INSTANCE_HELP, date_argument, positive

    branch = sub.add_parser("branch", help="branch lakehouses: build, diff, canary, promote")
    commands = branch.add_subparsers(dest="branch_command", required=True)

    def command(
        name: str, help_text: str, func, needs_name: bool = True
    ) -> argparse.ArgumentParser:
        parser = commands.add_parser(name, help=help_text)
        if needs_name:
            parser.add_argument("name", nargs="?", help="the branch (default: LAKEHOUSE_BRANCH)")
            parser.add_argument("--branch", help="the branch, as an option")
        parser.add_argument(
            "--repo", help="git checkout to compare declarations in (default: this)"
        )
        parser.add_argument(
            "--dbt-project", metavar="DIR", help="the dbt project (default: REPO/dbt_project)"
        )
        parser.set_defaults(func=func)
        return parser

    create = command("create", "pin the base's tables for a new branch", _cmd_create, False)
    create.add_argument("name", help="branch name: lower-case letters, digits, _")
    create.add_argument("--from", dest="source", choices=("dev", "staging", "prod"))
    create.add_argument(
        "--base-commit", metavar="REV", help="git revision the change is compared with (HEAD)"
    )
    command("list", "list the branches of the base", _cmd_list, False)
    command("drop", "delete a branch (never the base)", _cmd_drop)
    for name, help_text, func in (
        ("build", "materialise what changed versus the base commit", _cmd_build),
        ("canary", "build the last N landed days, run the checks, diff, judge", _cmd_canary),
    ):
        parser = command(name, help_text, func)
        parser.add_argument("--instance", metavar="DIR", help=INSTANCE_HELP)
        if name == "build":
            parser.add_argument("--start", type=date_argument, help="first day")
            parser.add_argument("--end", type=date_argument, help="last day")
        else:
            parser.add_argument("--days", type=positive, required=True, help="last N landed days")
            parser.add_argument("--threshold", action="append", help="e.g. silver.orders.rows<=1%%")
            parser.add_argument("--thresholds", metavar="YAML", help="file listing thresholds")
            parser.add_argument(
                "--output", metavar="FILE", help="write the report here (CI artifact)"
            )
    diff = command(
        "diff", "compare the branch's tables with the base (exit 1 if they differ)", _cmd_diff
    )
    diff.add_argument("--table", action="append", help="only this table, e.g. silver/orders")
    diff.add_argument("--format", choices=("md", "json"), default="md")
    command("promote", "publish the branch's tables to the base", _cmd_promote)
    command("rollback", "restore the tables of the branch's last promotion", _cmd_rollback)
