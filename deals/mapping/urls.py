"""Portal routes: ``urlpatterns`` under /t/<tenant>/ (vendor staff, "mapping"), ``partner_urlpatterns`` under /p/<tenant>/ ("partner_mapping").

The same views serve both portals: each acts for the caller's own side (the vendor, or the partner).
"""

from django.urls import path

from . import views

_shared = [
    path("account-mapping/", views.home, name="home"),
    path("account-mapping/list/", views.my_list, name="list"),
    path("account-mapping/partnerships/invite/", views.invite, name="invite"),
    path("account-mapping/partnerships/<uuid:partnership_id>/", views.partnership, name="partnership"),
    path("account-mapping/partnerships/<uuid:partnership_id>/export/", views.export, name="export"),
    path("account-mapping/partnerships/<uuid:partnership_id>/shared/<slug:population>/", views.shared_list, name="shared_list"),
    path("account-mapping/partnerships/<uuid:partnership_id>/accept/", views.accept, name="accept"),
    path("account-mapping/partnerships/<uuid:partnership_id>/decline/", views.decline, name="decline"),
    path("account-mapping/partnerships/<uuid:partnership_id>/revoke/", views.revoke, name="revoke"),
    path("account-mapping/partnerships/<uuid:partnership_id>/sharing/", views.sharing, name="sharing"),
]

urlpatterns = [
    *_shared,
    path("account-mapping/list/sync/", views.sync, name="sync"),
    path("account-mapping/partnerships/<uuid:partnership_id>/overlaps/<uuid:overlap_id>/lead/", views.lead, name="lead"),
]

partner_urlpatterns = [path(p.pattern._route, p.callback, name=p.name) for p in _shared]
