from django.urls import path

from gongjiang.portal import account_views, two_factor, views

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
    # Accounts and passwords (portal/account_views.py).
    path("accounts/", account_views.accounts, name="accounts"),
    path("accounts/<int:membership_id>/", account_views.account_action, name="account_action"),
    path("password/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", account_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/set/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("login/code/", two_factor.login_code, name="login_code"),
    path("account/2fa/", two_factor.two_factor, name="two_factor"),
    path("password/set/done/", account_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
