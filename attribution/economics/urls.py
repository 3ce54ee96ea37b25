"""Portal routes: ``urlpatterns`` under /t/<tenant>/ (vendor staff, "economics"), ``partner_urlpatterns`` under /p/<tenant>/."""

urlpatterns: list = []

partner_urlpatterns: list = []
