"""Portal routes: ``urlpatterns`` under /t/<tenant>/ (vendor staff, "mdf"), ``partner_urlpatterns`` under /p/<tenant>/."""

urlpatterns: list = []

partner_urlpatterns: list = []
