"""This area's part of ``/api/v1/t/<tenant>/``: viewsets on the shared router."""

from .views import MyRebateStatementViewSet, RebateProgramViewSet, RebateStatementViewSet, UsageFigureViewSet


def register(router) -> None:
    """Add this area's viewsets to the tenant API router (ecosystem/api/urls.py calls it)."""
    router.register("rebate-programs", RebateProgramViewSet, basename="rebate-program")
    router.register("rebate-statements", RebateStatementViewSet, basename="rebate-statement")
    router.register("my-rebate-statements", MyRebateStatementViewSet, basename="my-rebate-statement")
    router.register("usage-figures", UsageFigureViewSet, basename="usage-figure")


urlpatterns: list = []  # paths relative to /api/v1/t/<tenant_slug>/, named in the "api" namespace
