"""Isolation matrix rows for the incentives routes, and the tenant A objects they probe.

An active rebate program (staff pages and API; partner users read no program route) and partner 1's
computed statement for last quarter with one line. Statements are partner 1's: partner 2's users get
404 for its id and see it in none of their pages.
"""

from __future__ import annotations

from tests.isolation.routes import Route, no_ids


def _program(o: dict) -> dict:
    return {"program_id": o["rebate_program"]}


def _statement(o: dict) -> dict:
    return {"statement_id": o["rebate_statement"]}


ROUTES: dict[str, Route] = {
    # vendor portal: staff only, so partner users get 404 for every id
    "incentives:programs": Route(no_ids, ("GET",)),
    "incentives:program_new": Route(no_ids, ("GET", "POST")),
    "incentives:program": Route(_program, ("GET",)),
    "incentives:program_edit": Route(_program, ("GET", "POST")),
    "incentives:program_compute": Route(_program, ("POST",)),
    "incentives:statements": Route(_program, ("GET",)),
    "incentives:finance_export": Route(no_ids, ("GET",)),
    "incentives:statement": Route(_statement, ("GET",), partner_owned=True),
    "incentives:statement_approve": Route(_statement, ("POST",), partner_owned=True),
    "incentives:statement_pay": Route(_statement, ("POST",), partner_owned=True),
    "incentives:usage": Route(no_ids, ("GET",)),
    "incentives:usage_import": Route(no_ids, ("GET", "POST")),
    # partner portal: each partner its own statements
    "partner_incentives:statements": Route(no_ids, ("GET",)),
    "partner_incentives:statement": Route(_statement, ("GET",), partner_owned=True),
    # API, staff
    "api:rebate-program-list": Route(no_ids, ("GET", "POST")),
    "api:rebate-program-detail": Route(lambda o: {"public_id": o["rebate_program"]}, ("GET", "PUT")),
    "api:rebate-program-compute": Route(lambda o: {"public_id": o["rebate_program"]}, ("POST",)),
    "api:rebate-statement-list": Route(no_ids, ("GET",)),
    "api:rebate-statement-detail": Route(lambda o: {"public_id": o["rebate_statement"]}, ("GET",), partner_owned=True),
    "api:rebate-statement-approve": Route(lambda o: {"public_id": o["rebate_statement"]}, ("POST",), partner_owned=True),
    "api:rebate-statement-mark-paid": Route(lambda o: {"public_id": o["rebate_statement"]}, ("POST",), partner_owned=True),
    "api:usage-figure-list": Route(no_ids, ("GET", "POST")),
    # API, partners
    "api:my-rebate-statement-list": Route(no_ids, ("GET",), own=True),
    "api:my-rebate-statement-detail": Route(lambda o: {"public_id": o["rebate_statement"]}, ("GET",), partner_owned=True),
}


def objects(a) -> dict:
    """Tenant A's incentives objects (made inside A's tenant scope). partner1_ids: what partner 2's users must never see."""
    import datetime
    import uuid

    from django.utils import timezone

    from attribution.economics.selectors import default_quarter
    from attribution.incentives import services
    from attribution.incentives.models import RebateStatement, RebateStatementLine

    values = {
        "name": "Probe Rebate",
        "measure": "closed_won_revenue",
        "status": "active",
        "rates": [("0", "2"), ("100000", "4")],
    }
    program = services.program_create(tenant=a.tenant, actor=a.owner, values=values)
    year, quarter = default_quarter()
    # The statement and its line as rows: the routes read them, or refuse to change them.
    statement = RebateStatement.objects.create(
        tenant=a.tenant,
        program=program,
        partner=a.partner1,
        year=year,
        quarter=quarter,
        measure=program.measure,
        rate_mode=program.rate_mode,
        currency=program.currency,
        tiers=[["0", "2"], ["100000", "4"]],
        measured_total="1000.00",
        rebate_amount="20.00",
        line_count=1,
        computed_at=timezone.now(),
    )
    deal_id = uuid.uuid4()
    RebateStatementLine.objects.create(
        tenant=a.tenant,
        statement=statement,
        partner=a.partner1,
        kind="deal",
        source_id=deal_id,
        description="Probe Deal",
        day=datetime.date(year, 3 * quarter - 1, 15),
        amount="1000.00",
    )
    return {
        "rebate_program": program.public_id,
        "rebate_statement": statement.public_id,
        "partner1_ids": {str(statement.public_id), str(deal_id)},
    }
