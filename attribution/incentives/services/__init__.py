"""Every write of incentives and rebates: programs and tiers, usage figures, accruals, payouts."""

from .accruals import AccrualResult, accruals_compute, check_period, quarter_bounds
from .programs import program_create, program_tiers, program_update
from .statements import statement_approve, statement_mark_paid
from .usage import UsageImportResult, usage_figures_import, usage_figures_record

__all__ = [
    "AccrualResult",
    "UsageImportResult",
    "accruals_compute",
    "check_period",
    "program_create",
    "program_tiers",
    "program_update",
    "quarter_bounds",
    "statement_approve",
    "statement_mark_paid",
    "usage_figures_import",
    "usage_figures_record",
]
