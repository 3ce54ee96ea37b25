"""Portal routes: ``urlpatterns`` under /t/<tenant>/ (vendor staff, "surveys"), ``partner_urlpatterns`` under /p/<tenant>/."""

urlpatterns: list = []

partner_urlpatterns: list = []
