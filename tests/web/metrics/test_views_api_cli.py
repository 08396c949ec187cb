"""The same numbers on the page, from ``GET /api/metrics`` and from ``medvigil metrics --format json``;
the CSV exports, authorization, and a case built through the real remediation services."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest
from typer.testing import CliRunner

from medvigil.cli.main import app
from medvigil.web.metrics.presenters import TABLES
from medvigil.web.metrics.selectors import MetricsQuery, metrics_get
from medvigil.web.remediation import services
from medvigil.web.risk import services as risk
from medvigil.web.risk.models import Case
from tests.web.conftest import login
from tests.web.remediation.conftest import communicate, days_ago, fix_validated, isao  # noqa: F401
from tests.web.risk.conftest import case, hazards  # noqa: F401

pytestmark = pytest.mark.django_db
runner = CliRunner()


def _page_data(html: str) -> dict[str, Any]:
    found = re.search(r'<script id="metrics-data" type="application/json">(.*?)</script>', html, re.S)
    assert found, "the page carries its data as application/json"
    return dict(json.loads(found.group(1)))


def test_page_api_and_cli_give_the_same_numbers(portfolio: Any, viewer: Any, token_for: Any) -> None:
    api = login(viewer).get("/api/metrics?product=pump-x&granularity=week&periods=8", **token_for(viewer))
    assert api.status_code == 200, api.content
    page = login(viewer).get("/metrics/?product=pump-x&granularity=week&periods=8")
    assert page.status_code == 200
    cli = runner.invoke(
        app, ["metrics", "pump-x", "--granularity", "week", "--periods", "8", "--format", "json"]
    )
    assert cli.exit_code == 0, cli.output
    from_api, from_page, from_cli = api.json(), _page_data(page.content.decode()), json.loads(cli.output)
    assert from_api == from_page == from_cli
    assert from_api["durations"]["assess"]["portfolio"]["n"] == 3
    html = page.content.decode()
    median = from_api["durations"]["fix"]["portfolio"]["median"]
    assert f'<b id="fix-median">{median}</b>' in html


def test_cli_table_output(portfolio: Any) -> None:
    result = runner.invoke(app, ["metrics"])
    assert result.exit_code == 0, result.output
    assert "open cases (2 uncontrolled" in result.output and "installed base on a fixed" in result.output


def test_each_csv_export_is_the_table_view(portfolio: Any, viewer: Any) -> None:
    client = login(viewer)
    data = metrics_get(query=MetricsQuery(product="pump-x"))
    for name in TABLES:
        response = client.get(f"/metrics/{name}.csv?product=pump-x")
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv"), name
        assert f"metrics-{name}-pump-x-" in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert len(rows) >= 1 and rows[0], name
    burn = list(csv.reader(io.StringIO(client.get("/metrics/burndown.csv?product=pump-x").content.decode())))
    assert burn[0] == ["period", "opened", "closed", "open"]
    assert [int(r[3]) for r in burn[1:]] == [b["open"] for b in data["burndown"]]
    assert client.get("/metrics/nothing.csv").status_code == 404


def test_page_has_no_inline_script_and_loads_local_chart_files(portfolio: Any, viewer: Any) -> None:
    html = login(viewer).get("/metrics/").content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    for attrs, body in scripts:
        assert 'type="application/json"' in attrs or (body.strip() == "" and "src=" in attrs), attrs
    assert "/static/vendor/chartjs/chart.umd.min.js" in html and "/static/metrics/metrics.js" in html
    assert 'id="table-heatmap"' in html and 'href="/metrics/heatmap.csv"' in html


def test_authorization(portfolio: Any, outsider: Any, viewer: Any, client: Any) -> None:
    assert client.get("/api/metrics").status_code == 401
    assert login(outsider).get("/api/metrics").status_code == 403
    assert client.get("/metrics/").status_code == 302  # to the login page
    assert login(outsider).get("/metrics/").status_code == 403
    assert login(outsider).get("/metrics/trend.csv").status_code == 403
    assert login(viewer).get("/api/metrics?product=nope").status_code == 404
    assert login(viewer).get("/api/metrics?periods=0").status_code == 422


def test_metrics_are_documented_in_openapi(viewer: Any) -> None:
    schema = login(viewer).get("/api/openapi.json").json()
    op = schema["paths"]["/api/metrics"]["get"]
    assert {p["name"] for p in op["parameters"]} == {"product", "granularity", "periods"}
    assert "MetricsOut" in json.dumps(op["responses"]["200"])


def test_nav_link_and_dashboard_panel(portfolio: Any, viewer: Any) -> None:
    html = login(viewer).get("/dashboard/").content.decode()
    assert 'href="/metrics/"' in html
    assert 'id="metrics-panel"' in html
    fix = metrics_get(query=MetricsQuery())["durations"]["fix"]["portfolio"]
    assert f'<b id="panel-fix-median">{fix["median"]}</b>' in html
    assert 'id="panel-installed" href="/metrics/#patched-share"' in html


def test_a_case_through_the_remediation_services(case: Case, hazards: Any, analyst: Any, isao: Any) -> None:  # noqa: F811
    """The metrics read what the clock derived: the first complete communication, the validated fix."""
    services.day0_set(case=case, day0=days_ago(50), source="feed", user=analyst)
    risk.assessment_propose(case=case)
    risk.assessment_confirm(case=case, user=analyst)
    communicate(case, analyst, days_ago(45), parts="ab")  # incomplete: not the day-30 communication
    communicate(case, analyst, days_ago(40))
    fix_validated(case, analyst, days_ago(8))
    m = metrics_get(query=MetricsQuery())
    assert m["durations"]["assess"]["portfolio"]["median"] == 50.0
    assert m["durations"]["communicate"]["portfolio"]["median"] == 10.0
    assert m["durations"]["fix"]["portfolio"]["median"] == 42.0
    assert m["compliance"]["communication"]["portfolio"]["met"] == 1
    assert m["compliance"]["fix"]["portfolio"]["met"] == 1
