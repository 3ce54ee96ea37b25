"""CRM imports: recognised exports, saved mappings, formats, every row checked first, all or nothing, replays, the job."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from deals import imports
from deals.import_tasks import JOB_KIND, deal_import_task
from deals.imports import ImportRejected, import_validate, import_write, parse_amount, parse_date, read_csv, recognise
from deals.models import CustomerAccount, DirectOpportunity, ImportBatch, ImportKind, ImportMapping
from ecosystem.audit.models import AuditEntry
from ecosystem.jobs.models import Job, JobStatus
from ecosystem.jobs.services import job_create
from ecosystem.tenancy.context import tenant_context

from .support import product_lines_for

SF_ACCOUNTS = (
    "Account ID,Account Name,Website,Industry,Billing Country,Type\r\n"
    "001A,Initech Inc.,www.initech.example,Software,United States,Customer\r\n"
    "001B,Globex,https://globex.example/about,Energy,Germany,Prospect\r\n"
)
SF_OPPORTUNITIES = (
    "Opportunity ID,Opportunity Name,Account Name,Account ID,Stage,Amount,Opportunity Currency,Close Date,Probability (%)\r\n"
    '006A,Initech servers,Initech Inc.,001A,Negotiation,"1,234.56",USD,3/5/2024,60\r\n'
    '006B,Globex renewal,Globex,001B,Closed Won,"$20,000",,2024-04-30,100\r\n'
)
HS_COMPANIES = (
    "Record ID;Company name;Company Domain Name;Industry;Country/Region\n9001;Umbrella Corp;umbrella.example;Pharma;UK\n"
)
HS_DEALS = (
    "Record ID,Deal Name,Deal Stage,Amount,Close Date,Associated Company,Deal owner\n"
    "7001,Umbrella lab,closedlost,1.234\xa0EUR,2024-03-05 14:22,Umbrella Corp,Ada\n"
    "7002,Umbrella pilot,appointmentscheduled,1234 EUR,2024-03-06 09:00,Umbrella Corp,Ada\n"
)


@pytest.fixture(autouse=True)
def lines(world):
    product_lines_for(world.a.tenant)


def in_a(world):
    return tenant_context(world.a.tenant.pk)


def run(world, text: str, *, file_name: str = "export.csv", bom: bool = False):
    data = (("\ufeff" if bom else "") + text).encode()
    csv_file = read_csv(data)
    with in_a(world):
        found = recognise(tenant=world.a.tenant, headers=csv_file.headers)
        assert found is not None, csv_file.headers
        return import_write(
            tenant=world.a.tenant,
            actor=world.a.manager,
            csv_file=csv_file,
            file_name=file_name,
            kind=found.kind,
            mapping=found.mapping,
            default_currency="USD",
        )


# --- recognised exports ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "source", "kind"),
    [
        (SF_ACCOUNTS, "salesforce_account", ImportKind.ACCOUNTS),
        (SF_OPPORTUNITIES, "salesforce_opportunity", ImportKind.OPPORTUNITIES),
        (HS_COMPANIES, "hubspot_companies", ImportKind.ACCOUNTS),
        (HS_DEALS, "hubspot_deals", ImportKind.OPPORTUNITIES),
    ],
)
def test_each_standard_export_is_recognised_by_its_headers(world, text, source, kind):
    csv_file = read_csv(text.encode())
    with in_a(world):
        found = recognise(tenant=world.a.tenant, headers=csv_file.headers)
    assert (found.source, found.kind) == (source, kind)
    assert "name" in found.mapping.values()


def test_a_salesforce_account_export_with_a_bom_creates_accounts_by_registrable_domain(world):
    outcome = run(world, SF_ACCOUNTS, bom=True)
    assert (outcome.replay, outcome.created, outcome.updated) == (False, 2, 0)
    with in_a(world):
        accounts = {a.external_id: a for a in CustomerAccount.objects.all()}
        assert accounts["001A"].name == "Initech Inc." and accounts["001A"].root_domain == "initech.example"
        assert accounts["001B"].domain == "globex.example" and accounts["001B"].industry == "Energy"
        assert AuditEntry.objects.filter(action="deals.import").count() == 1


def test_opportunities_link_to_accounts_by_crm_id_and_closed_stages_are_not_open(world):
    run(world, SF_ACCOUNTS)
    run(world, SF_OPPORTUNITIES)
    with in_a(world):
        opps = {o.external_id: o for o in DirectOpportunity.objects.select_related("account")}
    assert opps["006A"].account.external_id == "001A" and opps["006A"].is_open is True
    assert (opps["006A"].amount, opps["006A"].currency, opps["006A"].close_date) == (
        Decimal("1234.56"),
        "USD",
        datetime.date(2024, 3, 5),
    )
    assert opps["006B"].is_open is False and opps["006B"].amount == Decimal("20000.00")


def test_hubspot_semicolon_companies_then_deals_link_by_company_name_with_euro_amounts(world):
    run(world, HS_COMPANIES)
    run(world, HS_DEALS)
    with in_a(world):
        deals = {o.external_id: o for o in DirectOpportunity.objects.select_related("account")}
    assert deals["7001"].account.name == "Umbrella Corp" and deals["7001"].is_open is False
    assert (deals["7001"].amount, deals["7001"].currency) == (Decimal("1.23"), "EUR")  # a lone dot is a decimal point
    assert (deals["7002"].amount, deals["7002"].close_date, deals["7002"].is_open) == (
        Decimal("1234.00"),
        datetime.date(2024, 3, 6),
        True,
    )


# --- formats ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-05", datetime.date(2024, 3, 5)),
        ("3/5/2024", datetime.date(2024, 3, 5)),
        ("5.3.2024", datetime.date(2024, 3, 5)),
        ("2024-03-05 14:22", datetime.date(2024, 3, 5)),
        ("2024/03/05", datetime.date(2024, 3, 5)),
        ("", None),
    ],
)
def test_dates_of_the_common_exports_are_read(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "amount", "currency"),
    [
        ("1,234.56", "1234.56", ""),
        ("1.234,56", "1234.56", ""),
        ("$1,234", "1234.00", "USD"),
        ("1234 EUR", "1234.00", "EUR"),
        ("EUR 1.234.567,8", "1234567.80", "EUR"),
        ("€12,5", "12.50", "EUR"),
        ("1 234,56", "1234.56", ""),
    ],
)
def test_amounts_and_their_currencies_are_read(raw, amount, currency):
    assert parse_amount(raw) == (Decimal(amount), currency)


@pytest.mark.parametrize("raw", ["12abc", "1,2,3,4.5.6", "-5"])
def test_what_is_not_an_amount_is_refused(raw):
    with pytest.raises(imports.ValueInvalid):
        parse_amount(raw)


# --- every row first, then all or nothing ----------------------------------------------------------


def test_ten_thousand_rows_with_one_bad_row_at_9999_name_it_and_write_nothing(world):
    run(world, SF_ACCOUNTS)
    lines = ["Opportunity ID,Opportunity Name,Account ID,Stage,Amount,Close Date"]
    for n in range(2, 10_002):  # rows 2 … 10,001 as a spreadsheet numbers them (the header is row 1)
        close = "31/31/2024" if n == 9_999 else "2024-06-30"
        lines.append(f"OPP{n},Deal {n},001A,Prospecting,1000,{close}")
    csv_file = read_csv("\n".join(lines).encode())
    assert len(csv_file.records) == 10_000
    with in_a(world):
        found = recognise(tenant=world.a.tenant, headers=csv_file.headers)
        with pytest.raises(ImportRejected) as rejected:
            import_write(
                tenant=world.a.tenant,
                actor=world.a.manager,
                csv_file=csv_file,
                file_name="big.csv",
                kind=found.kind,
                mapping=found.mapping,
                default_currency="USD",
            )
        assert [(e.row, e.column, e.code) for e in rejected.value.errors] == [(9_999, "Close Date", "invalid_date")]
        assert DirectOpportunity.objects.count() == 0
        assert not ImportBatch.objects.filter(file_name="big.csv").exists()


def test_every_bad_row_is_reported_with_its_column_as_named_in_the_file(world):
    text = (
        "Opportunity ID,Opportunity Name,Account ID,Stage,Amount,Opportunity Currency,Close Date\n"
        "1,Good,nope,Prospecting,10,USD,2024-01-01\n"
        "2,,001A,Prospecting,ten,EURO,yesterday\n"
        "1,Again,001A,Prospecting,10,USD,2024-01-01\n"
    )
    run(world, SF_ACCOUNTS)
    csv_file = read_csv(text.encode())
    with in_a(world):
        found = recognise(tenant=world.a.tenant, headers=csv_file.headers)
        validation = import_validate(
            tenant=world.a.tenant, csv_file=csv_file, kind=found.kind, mapping=found.mapping, default_currency="USD"
        )
    assert [(e.row, e.column, e.code) for e in validation.errors] == [
        (2, "Account ID", "account_not_found"),
        (3, "Amount", "invalid_amount"),
        (3, "Close Date", "invalid_date"),
        (3, "Opportunity Currency", "invalid_currency"),
        (3, "Opportunity Name", "required"),
    ]


# --- replay and upsert -----------------------------------------------------------------------------


def test_the_same_file_twice_is_a_replay_and_nothing_is_duplicated(world):
    first = run(world, SF_ACCOUNTS)
    again = run(world, SF_ACCOUNTS, file_name="again.csv")
    assert again.replay is True and again.batch.pk == first.batch.pk
    with in_a(world):
        assert CustomerAccount.objects.count() == 2
        assert ImportBatch.objects.count() == 1


def test_accounts_upsert_by_crm_id_then_by_domain_and_opportunities_by_crm_id(world):
    run(world, SF_ACCOUNTS)
    with in_a(world):
        CustomerAccount.objects.create(
            tenant=world.a.tenant, name="Hooli", name_key="hooli", domain="hooli.example", root_domain="hooli.example"
        )
    changed = (
        "Account ID,Account Name,Website,Industry\n"
        "001A,Initech Corporation,,Consulting\n"  # by CRM id: renamed, the domain kept
        "001H,Hooli,eu.hooli.example,Search\n"  # by registrable domain: gets its CRM id
        "001N,Newco,newco.example,\n"
    )
    outcome = run(world, changed)
    assert (outcome.created, outcome.updated) == (1, 2)
    with in_a(world):
        accounts = {a.name: a for a in CustomerAccount.objects.all()}
        assert accounts["Initech Corporation"].root_domain == "initech.example"
        assert accounts["Initech Corporation"].industry == "Consulting"
        assert accounts["Hooli"].external_id == "001H" and accounts["Hooli"].domain == "eu.hooli.example"
        assert CustomerAccount.objects.count() == 4
    run(world, SF_OPPORTUNITIES)
    moved = SF_OPPORTUNITIES.replace("Negotiation", "Closed Lost")
    assert run(world, moved).updated == 1 + 1
    with in_a(world):
        assert DirectOpportunity.objects.count() == 2
        assert DirectOpportunity.objects.get(external_id="006A").is_open is False


# --- mapping other files ---------------------------------------------------------------------------


def test_other_headers_are_mapped_once_and_the_mapping_is_proposed_next_time(world):
    text = "Kunde;Webseite;Kennung\nAcme GmbH;acme.example;K-1\n"
    csv_file = read_csv(text.encode())
    with in_a(world):
        assert recognise(tenant=world.a.tenant, headers=csv_file.headers) is None
        mapping = imports.clean_mapping(
            kind=ImportKind.ACCOUNTS,
            headers=csv_file.headers,
            chosen={"Kunde": "name", "Webseite": "domain", "Kennung": "external_id"},
        )
        imports.import_mapping_save(
            tenant=world.a.tenant,
            actor=world.a.manager,
            kind=ImportKind.ACCOUNTS,
            headers=csv_file.headers,
            mapping=mapping,
            name="ERP",
        )
        # the same headers, another order and case: proposed
        proposed = recognise(tenant=world.a.tenant, headers=["kennung", "KUNDE", "Webseite"])
        assert (proposed.source, proposed.kind, proposed.label) == ("saved", ImportKind.ACCOUNTS, "ERP")
        assert proposed.mapping == {"kennung": "external_id", "KUNDE": "name", "Webseite": "domain"}
        assert ImportMapping.objects.count() == 1
    with tenant_context(world.b.tenant.pk):
        assert recognise(tenant=world.b.tenant, headers=csv_file.headers) is None  # tenant B never sees A's mapping


def test_a_mapping_must_name_the_required_fields_once(world):
    with pytest.raises(imports.ApplicationError) as missing:
        imports.clean_mapping(kind=ImportKind.ACCOUNTS, headers=["A", "B"], chosen={"A": "domain"})
    assert missing.value.code == "required"
    with pytest.raises(imports.ApplicationError) as twice:
        imports.clean_mapping(kind=ImportKind.ACCOUNTS, headers=["A", "B"], chosen={"A": "name", "B": "name"})
    assert (twice.value.code, twice.value.field) == ("duplicate_field", "B")


# --- the job ---------------------------------------------------------------------------------------


def test_the_job_reports_progress_to_100_and_drops_the_file(world, monkeypatch):
    seen: list[int] = []
    import ecosystem.jobs.services as job_services

    real = job_services.job_progress

    def recording(*, job_id, progress, message=""):
        seen.append(progress)
        real(job_id=job_id, progress=progress, message=message)

    monkeypatch.setattr("deals.import_tasks.job_progress", recording)
    monkeypatch.setattr("deals.imports.validation.COPY_PROGRESS_EVERY", 1)
    tenant = world.a.tenant
    with in_a(world):
        token = imports.staged_put(tenant=tenant, data=SF_ACCOUNTS.encode(), file_name="sf.csv", user_id=world.a.manager.pk)
        found = recognise(tenant=tenant, headers=read_csv(SF_ACCOUNTS.encode()).headers)
        imports.staged_update(tenant=tenant, token=token, kind=found.kind, mapping=found.mapping)
        job = job_create(tenant=tenant, actor=world.a.manager, kind=JOB_KIND)
    deal_import_task(tenant.pk, job.pk, token)
    with in_a(world):
        job.refresh_from_db()
        assert (job.status, job.progress) == (JobStatus.SUCCEEDED, 100)
        assert job.result["created"] == 2 and job.result["replay"] is False
        assert ImportBatch.objects.get().job_id == job.pk
        assert imports.staged_get(tenant=tenant, token=token) is None
    assert seen == sorted(seen) and seen[0] == 1 and 40 <= seen[1] <= 80 and seen[-1] == 85


def test_a_job_whose_file_is_bad_fails_with_every_error_and_writes_nothing(world):
    tenant = world.a.tenant
    bad = SF_ACCOUNTS + "001C,,nope,,,\r\n"
    with in_a(world):
        token = imports.staged_put(tenant=tenant, data=bad.encode(), file_name="sf.csv", user_id=world.a.manager.pk)
        found = recognise(tenant=tenant, headers=read_csv(bad.encode()).headers)
        imports.staged_update(tenant=tenant, token=token, kind=found.kind, mapping=found.mapping)
        job = job_create(tenant=tenant, actor=world.a.manager, kind=JOB_KIND)
    deal_import_task(tenant.pk, job.pk, token)
    with in_a(world):
        job = Job.objects.get(pk=job.pk)
        assert job.status == JobStatus.FAILED
        assert [(e["row"], e["column"]) for e in job.result["errors"]] == [(4, "Account Name"), (4, "Website")]
        assert CustomerAccount.objects.count() == 0
