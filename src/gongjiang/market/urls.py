from django.urls import path

from gongjiang.market import views

app_name = "market"

urlpatterns = [
    path("", views.market, name="market"),
    path("suggest/", views.suggest, name="suggest"),
    path("pick/<str:scheme>/", views.pick, name="pick"),
    path("postings/<int:posting_id>/", views.posting_detail, name="posting_detail"),
    path("postings/<int:posting_id>/edit/", views.posting_edit, name="posting_edit"),
    path("postings/<int:posting_id>/close/", views.posting_close, name="posting_close"),
    path("postings/<int:posting_id>/applications/", views.applicants, name="applicants"),
    path("mine/", views.my_postings, name="mine"),
    path("applications/", views.my_applications, name="my_applications"),
    path("recommendations/", views.recommendations, name="recommendations"),
    path("partners/", views.partner_recommendations, name="partners"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:notification_id>/", views.notification_detail, name="notification_detail"),
    path("policies/", views.policies, name="policies"),
    path("policies/<int:notice_id>/", views.policy_detail, name="policy_detail"),
    path("moderation/", views.moderation, name="moderation"),
    path("moderation/archive/", views.archive_import, name="archive_import"),
    path("moderation/archive/template/", views.archive_template, name="archive_template"),
    path("profile/", views.profile, name="profile"),
]
