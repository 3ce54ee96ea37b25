from django.apps import AppConfig


class IncentivesConfig(AppConfig):
    """Incentives and rebates (issue 8): back-end rebate programs over measured outcomes (closed-won revenue,
    renewals, usage) with tiered rates, quarterly accruals per partner with line-by-line statements,
    payout approval and finance exports."""

    name = "attribution.incentives"
    label = "incentives"
    verbose_name = "Incentives and rebates"
