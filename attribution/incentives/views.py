"""Incentives pages. Vendor portal: rebate programs (list, create, edit with rate tiers), a program's
quarters with totals and "Compute now", a quarter's statements (CSV/XLSX), one statement with its lines,
Approve payout and Mark paid, the finance export, usage figures (list, CSV import). Partner portal:
"Rebates", the partner's own statements and their lines.

Staff read; owners and partner managers create, compute, approve and pay (as the MDF pages).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from attribution.economics.metrics import previous_quarter, quarter_of
from deals import imports
from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES
from ecosystem.errors import ApplicationError
from ecosystem.exports import export_format, export_response
from ecosystem.portal.base import back_to_tenant, roles_required
from partners.models import Tier

from . import selectors, services
from .forms import ComputeForm, PayForm, ProgramForm, UsageImportForm, parse_month, parse_period
from .models import StatementStatus

PAGE_SIZE = 50
STATEMENT_HEADER = [
    "statement_id",
    "partner_id",
    "partner",
    "program",
    "period",
    "measure",
    "measured",
    "unit",
    "rebate",
    "currency",
    "status",
    "approved_by",
    "approved_at",
    "paid_at",
    "payment_reference",
]
LINE_HEADER = [
    "statement_id",
    "partner",
    "kind",
    "source_id",
    "description",
    "date",
    "original_amount",
    "original_currency",
    "exchange_rate",
    "counted",
    "unit",
]


def _can_edit(request: HttpRequest) -> bool:
    return request.membership.role in PARTNER_EDITOR_ROLES


def _statement_row(s) -> list:
    return [
        s.public_id,
        s.partner.public_id,
        s.partner.name,
        s.program.name,
        s.period,
        s.measure,
        s.measured_total,
        s.program.unit,
        s.rebate_amount,
        s.currency,
        s.status,
        s.approved_by.email if s.approved_by else "",
        s.approved_at.isoformat() if s.approved_at else "",
        s.paid_at.isoformat() if s.paid_at else "",
        s.payment_reference,
    ]


def _line_row(line, unit: str) -> list:
    return [
        line.statement.public_id,
        line.partner.name,
        line.kind,
        line.source_id,
        line.description,
        line.day.isoformat(),
        "" if line.original_amount is None else line.original_amount,
        line.original_currency,
        "" if line.exchange_rate is None else line.exchange_rate,
        line.amount,
        unit,
    ]


# --- programs --------------------------------------------------------------------------------------


def _program_form(request: HttpRequest, data=None, initial=None) -> ProgramForm:
    tiers = Tier.objects.filter(tenant=request.tenant).order_by("rank", "id").values_list("public_id", "name")
    return ProgramForm(data, initial=initial, tiers=[(str(p), n) for p, n in tiers])


@roles_required(*STAFF_ROLES)
def program_list(request: HttpRequest) -> HttpResponse:
    """The programs with their tier and statement counts; CSV/XLSX with ``?export=`` (tiers as ``from:rate`` pairs)."""
    programs = list(selectors.programs_with_figures(tenant=request.tenant).prefetch_related("rates"))
    if export_format(request):
        return export_response(
            request,
            filename=f"rebate-programs-{request.tenant.slug}.csv",
            header=[
                "program_id",
                "name",
                "measure",
                "usage_metric",
                "rate_mode",
                "currency",
                "status",
                "partner_types",
                "tiers",
                "statements",
            ],
            rows=(
                [
                    p.public_id,
                    p.name,
                    p.measure,
                    p.usage_metric,
                    p.rate_mode,
                    p.currency,
                    p.status,
                    " ".join(p.partner_types),
                    "; ".join(f"{r.threshold}:{r.rate.normalize():f}" for r in sorted(p.rates.all(), key=lambda r: r.threshold)),
                    p.statement_count,
                ]
                for p in programs
            ),
        )
    return render(request, "incentives/programs.html", {"programs": programs, "can_edit": _can_edit(request)})


@roles_required(*PARTNER_EDITOR_ROLES)
def program_new(request: HttpRequest) -> HttpResponse:
    form = _program_form(request, request.POST or None, initial={"threshold_0": "0"})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                program = services.program_create(tenant=request.tenant, actor=request.user, values=form.values())
            except ApplicationError as error:
                form.put_error(error)
                status = error.status_code
            else:
                messages.success(request, _("Program %(name)s created.") % {"name": program.name})
                return back_to_tenant(request, "incentives:program", program_id=program.public_id)
    return render(request, "incentives/program_form.html", {"form": form, "program": None}, status=status)


@roles_required(*PARTNER_EDITOR_ROLES)
def program_edit(request: HttpRequest, program_id) -> HttpResponse:
    program = selectors.access_program(tenant=request.tenant, public_id=program_id)
    initial = ProgramForm.initial_for(program, selectors.program_rates(tenant=request.tenant, program=program))
    form = _program_form(request, request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.program_update(tenant=request.tenant, actor=request.user, program=program, values=form.values())
            except ApplicationError as error:
                form.put_error(error)
                status = error.status_code
            else:
                messages.success(request, _("Program saved. Statements already computed keep the tiers they were computed with."))
                return back_to_tenant(request, "incentives:program", program_id=program.public_id)
    return render(request, "incentives/program_form.html", {"form": form, "program": program}, status=status)


def _default_period() -> str:
    year, quarter = previous_quarter(*quarter_of(timezone.localdate()))
    return f"{year}-Q{quarter}"


def _program_page(request: HttpRequest, program, *, compute_form=None, status: int = 200) -> HttpResponse:
    context = {
        "program": program,
        "rates": selectors.program_rates(tenant=request.tenant, program=program),
        "periods": selectors.program_periods(tenant=request.tenant, program=program),
        "compute_form": compute_form or ComputeForm(initial={"period": _default_period()}),
        "can_edit": _can_edit(request),
    }
    return render(request, "incentives/program.html", context, status=status)


@roles_required(*STAFF_ROLES)
def program_detail(request: HttpRequest, program_id) -> HttpResponse:
    """The program, its tiers, its computed quarters with totals, and Compute now."""
    return _program_page(request, selectors.access_program(tenant=request.tenant, public_id=program_id))


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def program_compute(request: HttpRequest, program_id) -> HttpResponse:
    """Compute now: the chosen quarter's statements, directly (approved and paid ones are kept)."""
    program = selectors.access_program(tenant=request.tenant, public_id=program_id)
    form = ComputeForm(request.POST)
    if not form.is_valid():
        return _program_page(request, program, compute_form=form, status=400)
    year, quarter = form.cleaned_data["period"]
    try:
        result = services.accruals_compute(tenant=request.tenant, program=program, year=year, quarter=quarter, actor=request.user)
    except ApplicationError as error:
        form.add_error("period", error.message)
        return _program_page(request, program, compute_form=form, status=error.status_code)
    text = _(
        "%(period)s computed: %(created)s new statements, %(replaced)s replaced, %(removed)s removed, "
        "%(kept)s approved or paid kept as they were."
    ) % {
        "period": f"{year} Q{quarter}",
        "created": result.created,
        "replaced": result.replaced,
        "removed": result.removed,
        "kept": result.kept,
    }
    messages.success(request, text)
    if result.unconverted:
        messages.warning(
            request,
            _(
                "%(n)s won deals have no currency rate on their close date and were not counted. Add the rates, then compute again."
            )
            % {"n": result.unconverted},
        )
    response = back_to_tenant(request, "incentives:statements", program_id=program.public_id)
    response["Location"] += f"?period={year}-Q{quarter}"
    return response


# --- statements ------------------------------------------------------------------------------------


@roles_required(*STAFF_ROLES)
def program_statements(request: HttpRequest, program_id) -> HttpResponse:
    """A quarter's statements with totals (``?period=2026-Q3``, default the latest computed); CSV/XLSX
    with ``?export=``, and the quarter's lines with ``?export=…&lines=1``."""
    program = selectors.access_program(tenant=request.tenant, public_id=program_id)
    periods = selectors.program_periods(tenant=request.tenant, program=program)
    asked = parse_period(request.GET.get("period"))
    current = next((p for p in periods if (p.year, p.quarter) == asked), None) if asked else (periods[0] if periods else None)
    if export_format(request):
        year, quarter = (current.year, current.quarter) if current else (asked or (0, 0))
        name = f"rebates-{program.name}-{year}-q{quarter}".lower().replace(" ", "-")
        if request.GET.get("lines"):
            rows = selectors.lines_for_finance(tenant=request.tenant, program=program, year=year, quarter=quarter)
            return export_response(
                request, filename=f"{name}-lines.csv", header=LINE_HEADER, rows=(_line_row(r, program.unit) for r in rows)
            )
        rows = selectors.statements_for_finance(tenant=request.tenant, program=program, year=year, quarter=quarter)
        return export_response(request, filename=f"{name}.csv", header=STATEMENT_HEADER, rows=(_statement_row(s) for s in rows))
    page = None
    if current is not None:
        queryset = selectors.period_statements(tenant=request.tenant, program=program, year=current.year, quarter=current.quarter)
        page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "program": program,
        "periods": periods,
        "current": current,
        "page": page,
        "query": f"period={current.value}" if current else "",
        "can_edit": _can_edit(request),
    }
    return render(request, "incentives/statements.html", context, status=200 if current or not asked else 404)


@roles_required(*STAFF_ROLES)
def statement_detail(request: HttpRequest, statement_id) -> HttpResponse:
    statement = selectors.access_statement(tenant=request.tenant, public_id=statement_id)
    lines = selectors.statement_lines(tenant=request.tenant, statement=statement)
    if export_format(request):
        unit = statement.program.unit
        rows = lines.select_related("statement", "partner")
        return export_response(
            request,
            filename=f"rebate-statement-{statement.public_id}.csv",
            header=LINE_HEADER,
            rows=(_line_row(r, unit) for r in rows),
        )
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "statement": statement,
        "page": page,
        "query": "",
        "can_edit": _can_edit(request),
        "pay_form": PayForm(),
        "Status": StatementStatus,
        "staff": True,
    }
    return render(request, "incentives/statement.html", context)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def statement_approve(request: HttpRequest, statement_id) -> HttpResponse:
    statement = selectors.access_statement(tenant=request.tenant, public_id=statement_id)
    try:
        services.statement_approve(tenant=request.tenant, actor=request.user, statement=statement)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Payout approved: %(partner)s, %(amount)s %(currency)s.")
            % {
                "partner": statement.partner.name,
                "amount": f"{statement.rebate_amount:,.2f}",
                "currency": statement.currency,
            },
        )
    return back_to_tenant(request, "incentives:statement", statement_id=statement.public_id)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def statement_pay(request: HttpRequest, statement_id) -> HttpResponse:
    statement = selectors.access_statement(tenant=request.tenant, public_id=statement_id)
    form = PayForm(request.POST)
    reference = form.cleaned_data["reference"] if form.is_valid() else ""
    try:
        services.statement_mark_paid(tenant=request.tenant, actor=request.user, statement=statement, reference=reference)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Marked paid: %(partner)s.") % {"partner": statement.partner.name})
    return back_to_tenant(request, "incentives:statement", statement_id=statement.public_id)


@roles_required(*STAFF_ROLES)
def finance_export(request: HttpRequest) -> HttpResponse:
    """Every statement (filters ``program``, ``period``, ``status``) for finance, CSV or XLSX."""
    program = None
    if request.GET.get("program"):
        program = selectors.access_program(tenant=request.tenant, public_id=request.GET["program"])
    year, quarter = parse_period(request.GET.get("period")) or (None, None)
    status = request.GET.get("status") if request.GET.get("status") in StatementStatus.values else ""
    rows = selectors.statements_for_finance(tenant=request.tenant, program=program, year=year, quarter=quarter, status=status)
    return export_response(
        request,
        filename=f"rebate-statements-{request.tenant.slug}.csv",
        header=STATEMENT_HEADER,
        rows=(_statement_row(s) for s in rows),
    )


# --- usage figures ---------------------------------------------------------------------------------


@roles_required(*STAFF_ROLES)
def usage_list(request: HttpRequest) -> HttpResponse:
    metric = (request.GET.get("metric") or "").strip().lower()
    month = parse_month(request.GET.get("month"))
    rows = selectors.usage_rows(tenant=request.tenant, metric=metric, month=month)
    if export_format(request):
        return export_response(
            request,
            filename=f"usage-figures-{request.tenant.slug}.csv",
            header=["month", "metric", "account_id", "account", "quantity", "source", "external_id"],
            rows=(
                [f"{r.month:%Y-%m}", r.metric, r.account.public_id, r.account.name, r.quantity, r.source, r.external_id]
                for r in rows
            ),
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in (("metric", metric), ("month", f"{month:%Y-%m}" if month else "")) if v)
    context = {
        "page": page,
        "metrics": selectors.usage_metrics(tenant=request.tenant),
        "metric": metric,
        "month": f"{month:%Y-%m}" if month else "",
        "query": query,
        "can_import": _can_edit(request),
    }
    return render(request, "incentives/usage.html", context)


@roles_required(*PARTNER_EDITOR_ROLES)
def usage_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV of usage figures: all or nothing; every bad row listed (row, column, message)."""
    form = UsageImportForm(request.POST, request.FILES) if request.method == "POST" else UsageImportForm()
    context: dict = {"form": form, "result": None, "errors": [], "file_error": ""}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            context["file_name"] = upload.name
            if upload.size > imports.MAX_FILE_BYTES:
                context["file_error"] = _("The file is larger than 50 MB. Split it and import the parts.")
            else:
                try:
                    result = services.usage_figures_import(tenant=request.tenant, actor=request.user, data=upload.read())
                except imports.ImportFileInvalid as invalid:
                    context["file_error"] = invalid.message
                else:
                    if result.ok:
                        status, context["result"] = 200, result
                    else:
                        context["errors"] = result.errors
    return render(request, "incentives/usage_import.html", context, status=status)


# --- partner portal --------------------------------------------------------------------------------


@roles_required(*PARTNER_ROLES)
def partner_statements(request: HttpRequest) -> HttpResponse:
    """Rebates: the partner's own statements, the latest quarter first."""
    queryset = selectors.statements_for_partner(tenant=request.tenant, partner_id=request.membership.partner_id)
    if export_format(request):
        # the staff columns less who approved (a vendor's staff member); one query
        return export_response(
            request,
            filename="my-rebate-statements.csv",
            header=[name for name in STATEMENT_HEADER if name not in ("partner_id", "partner", "approved_by")],
            rows=(
                [
                    s.public_id,
                    s.program.name,
                    s.period,
                    s.measure,
                    s.measured_total,
                    s.program.unit,
                    s.rebate_amount,
                    s.currency,
                    s.status,
                    s.approved_at,
                    s.paid_at,
                    s.payment_reference,
                ]
                for s in queryset.iterator()
            ),
        )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "incentives/partner_statements.html", {"page": page, "query": ""})


@roles_required(*PARTNER_ROLES)
def partner_statement(request: HttpRequest, statement_id) -> HttpResponse:
    statement = selectors.access_statement(
        tenant=request.tenant, public_id=statement_id, partner_id=request.membership.partner_id
    )
    page = Paginator(selectors.statement_lines(tenant=request.tenant, statement=statement), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"statement": statement, "page": page, "query": "", "Status": StatementStatus, "staff": False}
    return render(request, "incentives/statement.html", context)
