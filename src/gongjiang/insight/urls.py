from django.urls import path

from gongjiang.insight import views

app_name = "insight"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("indicators/<str:code>/", views.indicator_detail, name="indicator"),
    path("indicators/<str:code>/records/", views.indicator_records, name="records"),
    path("targets/", views.targets, name="targets"),
    path("alignment/", views.alignment_view, name="alignment"),
    path("warnings/", views.warnings_view, name="warnings"),
    path("quality/", views.quality_view, name="quality"),
    path("forecasts/", views.forecasts_view, name="forecasts"),
    path("report/", views.report_view, name="report"),
    path("refresh/", views.refresh, name="refresh"),
]
