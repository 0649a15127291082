"""``lakehouse report``: one self-contained HTML page (plotly.js inlined, no network) with DORA
tiles, SLA attainment, duration trends with regressions, cost per asset and latest failures."""

import html
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import plotly.graph_objects as go
import pyarrow as pa

from lakehouse.lake import DeltaReader
from lakehouse.observability.dora import DoraSummary, dora_summary
from lakehouse.observability.tables import (
    ASSET_EVENTS,
    COST_DAILY,
    COST_SCHEMA,
    DURATIONS,
    DURATIONS_SCHEMA,
    EVENTS_SCHEMA,
    RUNS,
    RUNS_SCHEMA,
    SLA_DAILY,
    SLA_SCHEMA,
    STORAGE,
    STORAGE_SCHEMA,
)

CHART_IDS = ("sla-attainment", "durations", "cost", "storage")
_STYLE = """body{font-family:system-ui,sans-serif;margin:24px;color:#222}
.tiles{display:flex;gap:16px;flex-wrap:wrap}.tile{border:1px solid #ddd;border-radius:8px;
padding:12px 18px;min-width:180px}.tile b{display:block;font-size:28px}
table{border-collapse:collapse}td,th{border-bottom:1px solid #eee;padding:4px 10px;
text-align:left}"""


def _read(reader: DeltaReader, key: tuple[str, str], schema: pa.Schema) -> list[dict]:
    table = reader.read(list(key)) if reader.exists(list(key)) else schema.empty_table()
    return table.to_pylist()


def _fmt(value: float | None, unit: str, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f} {unit}".strip()


def _tiles(s: DoraSummary) -> str:
    rate = s.change_failure_rate
    tiles = [
        (
            "Deployment frequency",
            f"{s.deployments_per_week:.1f} / week",
            f"{s.deployments} deployments in {s.days} days",
        ),
        (
            "Lead time for changes",
            _fmt(s.lead_time_median_hours, "h"),
            f"p90 {_fmt(s.lead_time_p90_hours, 'h')}",
        ),
        (
            "Change failure rate",
            "n/a" if rate is None else f"{rate:.0%}",
            f"{s.failed_deployments} of {s.deployments} deployments",
        ),
        ("Time to restore", _fmt(s.time_to_restore_median_minutes, "min", 0), "median"),
    ]
    return (
        '<div class="tiles" id="dora">'
        + "".join(
            f'<div class="tile" data-figure="{html.escape(name)}">{html.escape(name)}'
            f"<b>{html.escape(value)}</b><small>{html.escape(note)}</small></div>"
            for name, value, note in tiles
        )
        + "</div>"
    )


def _sla_figure(rows: list[dict]) -> go.Figure:
    fig = go.Figure()
    for asset, days in _per_asset(rows, "day"):
        rolling = [
            sum(d["met"] for d in days[max(0, i - 6) : i + 1]) / len(days[max(0, i - 6) : i + 1])
            for i in range(len(days))
        ]
        fig.add_trace(
            go.Scatter(x=[str(d["day"]) for d in days], y=rolling, name=asset, mode="lines+markers")
        )
    fig.update_layout(title="SLA attainment, trailing 7 days", yaxis_tickformat=".0%")
    return fig


def _per_asset(rows: list[dict], order: str) -> list[tuple[str, list[dict]]]:
    """``rows`` grouped by their ``asset``, sorted by name, each group sorted by ``order``."""
    by_asset: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_asset[row["asset"]].append(row)
    return [(a, sorted(group, key=lambda r: r[order])) for a, group in sorted(by_asset.items())]


def _durations_figure(rows: list[dict]) -> go.Figure:
    fig = go.Figure()
    for asset, points in _per_asset(rows, "timestamp"):
        fig.add_trace(
            go.Scatter(
                x=[p["timestamp"].isoformat() for p in points],
                y=[p["seconds"] for p in points],
                name=asset,
                mode="lines",
            )
        )
    slow = [r for r in rows if r["regression"]]
    fig.add_trace(
        go.Scatter(
            x=[r["timestamp"].isoformat() for r in slow],
            y=[r["seconds"] for r in slow],
            name="regression",
            mode="markers",
            marker={"color": "red", "size": 12, "symbol": "x"},
            text=[f"{r['asset']}: {r['factor']:.1f}x median; {r['likely_cause']}" for r in slow],
        )
    )
    fig.update_layout(title="Step time per materialisation (s); regressions marked")
    return fig


def _cost_figure(rows: list[dict]) -> go.Figure:
    fig = go.Figure()
    for asset, days in _per_asset(rows, "day"):
        fig.add_trace(
            go.Bar(x=[str(d["day"]) for d in days], y=[d["total_usd"] for d in days], name=asset)
        )
    fig.update_layout(title="Estimated cost per asset and day (USD)", barmode="stack")
    return fig


def _storage_figure(rows: list[dict]) -> go.Figure:
    names = [r["table"] for r in rows]
    fig = go.Figure(
        [
            go.Bar(x=names, y=[r["current_bytes"] for r in rows], name="current version"),
            go.Bar(x=names, y=[r["reclaimable_bytes"] for r in rows], name="vacuum would reclaim"),
        ]
    )
    fig.update_layout(title="Storage per table (bytes)", barmode="stack")
    return fig


def _failures(events: list[dict], dagster_url: str, limit: int = 20) -> str:
    bad = [
        e
        for e in events
        if e["kind"] == "failure" or (e["kind"] == "check" and e["passed"] is False)
    ]
    bad.sort(key=lambda e: e["timestamp"], reverse=True)
    rows = "".join(
        f"<tr><td>{e['timestamp']:%Y-%m-%d %H:%M}</td><td>{html.escape(e['asset'])}</td>"
        f"<td>{html.escape(e['partition'] or '-')}</td><td>"
        + html.escape(
            "failed"
            if e["kind"] == "failure"
            else f"check {e['check_name']} failed" + (" (blocking)" if e["blocking"] else "")
        )
        + f'</td><td><a href="{html.escape(dagster_url.rstrip("/"))}/runs/{e["run_id"]}">'
        f"run {e['run_id'][:8]}</a></td></tr>"
        for e in bad[:limit]
    )
    head = "<tr><th>when (UTC)</th><th>asset</th><th>partition</th><th>what</th><th>run</th></tr>"
    return f'<table id="failures">{head}{rows}</table>'


def build_report(reader: DeltaReader, dagster_url: str) -> str:
    """The page's HTML, from the ops tables under ``reader``'s root."""
    runs = reader.read(list(RUNS)) if reader.exists(list(RUNS)) else RUNS_SCHEMA.empty_table()
    events_table = (
        reader.read(list(ASSET_EVENTS))
        if reader.exists(list(ASSET_EVENTS))
        else EVENTS_SCHEMA.empty_table()
    )
    events = events_table.to_pylist()
    days = sorted({e["timestamp"].date() for e in events})
    today = datetime.now(UTC).date()
    summary = dora_summary(
        runs, events_table, days[0] if days else today, days[-1] if days else today
    )
    figures = {
        "sla-attainment": _sla_figure(_read(reader, SLA_DAILY, SLA_SCHEMA)),
        "durations": _durations_figure(_read(reader, DURATIONS, DURATIONS_SCHEMA)),
        "cost": _cost_figure(_read(reader, COST_DAILY, COST_SCHEMA)),
        "storage": _storage_figure(_read(reader, STORAGE, STORAGE_SCHEMA)),
    }
    charts = "".join(
        fig.to_html(full_html=False, include_plotlyjs=(i == 0), div_id=name)
        for i, (name, fig) in enumerate(figures.items())
    )
    period = f"{days[0]} .. {days[-1]}" if days else "no runs collected yet"
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Is the platform healthy?"
        f"</title><style>{_STYLE}</style></head><body><h1>Is the platform healthy?</h1>"
        f"<p>Runs {html.escape(period)}; generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.</p>"
        f"<h2>DORA</h2>{_tiles(summary)}{charts}<h2>Latest failures</h2>"
        f"{_failures(events, dagster_url)}</body></html>"
    )


def write_report(reader: DeltaReader, out: Path, dagster_url: str) -> Path:
    """Write ``index.html`` into ``out`` (created); its path."""
    out.mkdir(parents=True, exist_ok=True)
    page = out / "index.html"
    page.write_text(build_report(reader, dagster_url), encoding="utf-8")
    return page
