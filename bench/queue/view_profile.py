"""The queue view in this process, without a server: its queries and where its time goes."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from bench.queue.base import NURSE, percentile


@dataclass
class ViewProfile:
    requests: int
    queries: int
    query_list: list[str]
    request_p50_s: float
    sql_p50_s: float
    connect_p50_s: float
    visits_query_p50_s: float
    rows_p50_s: float
    render_p50_s: float
    rows_render_p50_s: float


def profile_view(repeat: int = 30) -> ViewProfile:
    """The queue view without a server: Django's test client for the whole request (middleware,
    session, auth, view, template), then the view's parts on their own."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.template.loader import render_to_string
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from intake import worklist
    from intake.views.nurse import MAX_ROWS

    nurse = User.objects.get(username=NURSE)
    client = Client()
    client.force_login(nurse)
    client.get("/queue/")  # template loading, URL resolver caches
    totals, sqls = [], []
    captured: list[dict[str, str]] = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get("/queue/")
            totals.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        sqls.append(sum(float(q["time"]) for q in ctx.captured_queries))
        captured = list(ctx.captured_queries)

    connects = []
    for _ in range(repeat):
        connection.close()
        started = time.perf_counter()
        connection.ensure_connection()
        connects.append(time.perf_counter() - started)

    request = RequestFactory().get("/queue/")
    request.user = nurse
    request.session = client.session
    visit_times, rows_times, render_times, partial_times = [], [], [], []
    for _ in range(repeat):
        started = time.perf_counter()
        visits = list(worklist.queue_visits(worklist.DEFAULT_FILTER)[:MAX_ROWS])
        visit_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        rows = worklist.rows(visits)
        rows_times.append(time.perf_counter() - started)
        context = {
            "rows": rows,
            "filters": [(k, label) for k, (label, _) in worklist.FILTERS.items()],
            "chosen": worklist.DEFAULT_FILTER,
            "alerting": [r for r in rows if r.alerting],
            "now": timezone.now(),
        }
        started = time.perf_counter()
        render_to_string("queue/queue.html", context, request)
        render_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        render_to_string("queue/_rows.html", context, request)
        partial_times.append(time.perf_counter() - started)
    return ViewProfile(
        requests=repeat,
        queries=len(captured),
        query_list=[_short_sql(q["sql"]) for q in captured],
        request_p50_s=percentile(totals, 50),
        sql_p50_s=percentile(sqls, 50),
        connect_p50_s=percentile(connects, 50),
        visits_query_p50_s=percentile(visit_times, 50),
        rows_p50_s=percentile(rows_times, 50),
        render_p50_s=percentile(render_times, 50),
        rows_render_p50_s=percentile(partial_times, 50),
    )


def _short_sql(sql: str) -> str:
    verb = sql.split(" ", 1)[0]
    table = re.search(r'(?:FROM|INTO|UPDATE) "([a-z_]+)"', sql)
    return f"{verb} {table.group(1) if table else ''}".strip()
