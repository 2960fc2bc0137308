"""In the browser: a manager clicks the department total and reads its breakdown line by line (KPI, actual,
target, score, weight, contribution, and for shared KPIs the matrix, the unit's role and share; rows adding
up to the total); an HR admin starts a recompute from the scores page and watches a Job poll until done;
the what-if page shows every affected unit before and after while everybody else still reads the stored
scores. Screenshots go to test-artifacts/."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from collab.models import Job
from collab.tenancy import tenant_scope
from interlock.models import ScoreSnapshot
from tests.browser.session import log_in, watch_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _cells(row) -> list[str]:
    return [text.strip() for text in row.locator("td").all_inner_texts()]


def _stored(world) -> dict[str, Decimal]:
    with tenant_scope(world.period.tenant):
        return dict(ScoreSnapshot.objects.filter(period=world.period).values_list("subject", "total"))


def test_manager_clicks_the_total_and_reads_its_breakdown(scored_company, live_server, page, screenshot):
    errors = watch_errors(page)
    log_in(page, live_server.url, "scores-manager")
    page.goto(f"{live_server.url}/t/alpha/dashboards/unit/")
    assert page.locator("#dashboard-total").inner_text().strip() == "98.00"
    with page.expect_navigation():
        page.click("#dashboard-total-link")
    page.locator("#breakdown-table").wait_for()
    assert "/interlock/scores/" in page.url
    assert page.locator("#breakdown-total").inner_text().strip() == "98.00"
    screenshot("score-breakdown-from-dashboard")

    lines = page.locator("#breakdown-table tr.breakdown-line")
    assert lines.count() == 4
    # KPI, actual, target, score, weight, contribution (the sales scorecard of the seed: 40/20/20/20).
    expected = {
        "CUST-RET": ("81.0000", "90.0000", "90.00", "40.00", "36.00"),
        "AR-DSO": ("50.0000", "45.0000", "90.00", "20.00", "18.00"),
        "KA-RENEW": ("85.5000", "90.0000", "110.00", "20.00", "22.00"),
        "SALES-REV": ("1100.0000", "1000.0000", "110.00", "20.00", "22.00"),
    }
    read = {}
    for index in range(lines.count()):
        cells = _cells(lines.nth(index))
        code = cells[0].split()[0]
        read[code] = cells
        actual, target, score, weight, contribution = cells[1:]
        want = expected[code]
        assert Decimal(actual) == Decimal(want[0]) and Decimal(target) == Decimal(want[1]), code
        assert (score, weight, contribution) == want[2:], code
    assert set(read) == set(expected)
    # The shared lines (and the own ones under a matrix) name the matrix, the unit's role and share.
    assert "Responsibility matrix v1: Collaborating, share 40.00 %" in read["AR-DSO"][0]
    assert "Responsibility matrix v1: Lead, share 40.00 %" in read["KA-RENEW"][0]
    assert "judged by KA-RATIO" in read["KA-RENEW"][0]  # the lead is judged by its evaluation KPI (88/80)
    assert "Responsibility matrix v1: Lead, share 50.00 %" in read["CUST-RET"][0]
    # Review and points rows, then the rows add up to the total exactly.
    review = page.locator("#breakdown-table tr.breakdown-review td").last.inner_text().strip()
    points = page.locator("#breakdown-table tr.breakdown-points td").last.inner_text().strip()
    rows = [Decimal(cells[-1]) for cells in read.values()] + [Decimal(review), Decimal(points)]
    assert sum(rows) == Decimal(page.locator("#breakdown-sum").inner_text().strip()) == Decimal("98.00")

    # The matrix link opens the matrix the share comes from.
    with page.expect_navigation():
        page.locator("tr[data-kpi] a:has-text('Responsibility matrix v1')").nth(1).click()
    assert "/responsibility/matrices/" in page.url
    assert errors == [], "\n".join(errors)


def test_hr_admin_recomputes_and_watches_the_job(scored_company, live_server, page, screenshot):
    errors = watch_errors(page)
    base = live_server.url
    log_in(page, base, "scores-hr")
    page.goto(f"{base}/t/alpha/interlock/scores/")
    page.locator("#score-table").wait_for()
    before = _stored(scored_company)
    # Tests run Celery eagerly: the job has run by the time the htmx answer swaps in its progress.
    page.click("#score-recompute")
    page.locator("#score-job [data-status='done']").wait_for()
    assert "100 %" in page.locator("#score-job").inner_text()
    assert "none changed" in page.locator("#score-job").inner_text()  # same inputs: nothing rewritten
    with tenant_scope(scored_company.period.tenant):
        job = Job.objects.get(key=f"period:{scored_company.period.pk}")
        assert job.status == Job.Status.DONE and job.created_by.username == "scores-hr"
    assert _stored(scored_company) == before  # same inputs, same totals

    # The job page renders the finished state: no more polling.
    page.goto(f"{base}/t/alpha/interlock/jobs/{job.pk}/")
    done = page.locator(f"#job-{job.pk}")
    done.wait_for()
    assert done.get_attribute("hx-trigger") is None
    assert done.locator("[data-status]").get_attribute("data-status") == "done"
    assert "Started" in done.inner_text() and "Finished" in done.inner_text()
    screenshot("score-job-done")

    # A job a worker is still running: the page polls it (htmx, every second) until it ends.
    with tenant_scope(scored_company.period.tenant):
        running = Job.objects.create(
            kind=Job.Kind.SCORE_RECOMPUTE,
            key=f"period:{scored_company.period.pk}",
            status=Job.Status.RUNNING,
            progress=40,
        )
    page.goto(f"{base}/t/alpha/interlock/jobs/{running.pk}/")
    polling = page.locator(f"#job-{running.pk}[hx-trigger='every 1s']")
    polling.wait_for()
    assert "40 %" in polling.inner_text()
    screenshot("score-job-running")
    with tenant_scope(scored_company.period.tenant):
        Job.objects.filter(pk=running.pk).update(progress=70)
    page.locator(f"#job-{running.pk}:has-text('70 %')").wait_for()
    with tenant_scope(scored_company.period.tenant):
        Job.objects.filter(pk=running.pk).update(
            status=Job.Status.DONE, progress=100, message="5 score(s) written.", finished_at=timezone.now()
        )
    page.locator(f"#job-{running.pk} [data-status='done']").wait_for()
    finished = page.locator(f"#job-{running.pk}")
    assert finished.get_attribute("hx-trigger") is None and "100 %" in finished.inner_text()
    assert "Show the scores" in finished.inner_text() and "Finished" in finished.inner_text()
    page.wait_for_timeout(1500)  # nothing polls any more: the finished state stays
    assert page.locator(f"#job-{running.pk} [data-status='done']").count() == 1
    screenshot("score-job-polled-to-done")
    assert errors == [], "\n".join(errors)


def test_whatif_shows_before_and_after_without_changing_what_others_see(
    scored_company, live_server, page, screenshot
):
    errors = watch_errors(page)
    base = live_server.url
    world = scored_company
    before = _stored(world)
    unit_of = {f"unit:{world.units[name].pk}": name for name in world.units}

    log_in(page, base, "scores-hr")
    kpi, period = world.kpis["retention"].pk, world.period.pk
    page.goto(f"{base}/t/alpha/dashboards/what-if/?kpi={kpi}&period={period}")
    page.locator("#whatif-rows").wait_for()
    # Proposal for 客户留存率: sales keeps the lead, judged by 投诉率 (score 80) instead of the KPI (90).
    page.select_option("select[name=rows-0-evaluation_kpi]", str(world.kpis["complaint_rate"].pk))
    page.click("#whatif-run")
    page.locator("#whatif-table").wait_for()
    screenshot("score-whatif")

    shown = {}
    rows = page.locator("#whatif-table tbody tr")
    for index in range(rows.count()):
        row = rows.nth(index)
        subject = row.get_attribute("data-subject")
        name, now, proposed, change = _cells(row)[:4]
        shown[unit_of.get(subject, subject)] = (now, proposed, change)
        assert Decimal(now) == before[subject], subject  # "now" is the stored score
    # Every unit whose scorecard counts 客户留存率 is listed; only sales moves (40-weight line: 90 → 80).
    assert set(shown) == {"sales", "service", "rnd"}
    assert shown["sales"] == ("98.00", "94.00", "-4.00")
    assert shown["service"][0] == shown["service"][1] and shown["rnd"][0] == shown["rnd"][1]
    assert "Nothing has been saved." in page.locator("#whatif-output").inner_text()

    # Nobody else sees the proposal: the manager's dashboard and the stored scores are unchanged.
    assert _stored(world) == before
    with tenant_scope(world.period.tenant):
        assert not Job.objects.exists()  # and no recompute was queued
    log_in(page, base, "scores-manager")
    page.goto(f"{base}/t/alpha/dashboards/unit/")
    assert page.locator("#dashboard-total").inner_text().strip() == "98.00"
    log_in(page, base, "scores-committee")
    page.goto(f"{base}/t/alpha/dashboards/ranking/")
    page.locator("#ranking-table").wait_for()
    sales_row = page.locator(f"#ranking-table tr[data-subject='unit:{world.units['sales'].pk}']")
    assert "98.00" in sales_row.inner_text() and "94.00" not in sales_row.inner_text()
    assert errors == [], "\n".join(errors)
