from django.urls import path

from gongjiang.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.PortalLoginView.as_view(), name="login"),
    path("logout/", views.PortalLogoutView.as_view(), name="logout"),
    path("switch/", views.switch_organisation, name="switch_organisation"),
    path("orgs/", views.organisation_list, name="organisation_list"),
    path("orgs/<str:code>/", views.organisation_detail, name="organisation_detail"),
    path("refdata/", views.refdata_browser, name="refdata"),
    path("refdata/<str:scheme>/<str:code>/", views.concept_detail, name="concept_detail"),
    path("audit/", views.audit_browser, name="audit"),
    path("audit/<int:entry_id>/reveal/", views.audit_reveal, name="audit_reveal"),
]
