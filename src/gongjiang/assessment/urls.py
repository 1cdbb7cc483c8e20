from django.urls import path

from gongjiang.assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.plans, name="plans"),
    path("plans/<int:plan_id>/", views.plan_detail, name="plan"),
    path("awards/", views.awards, name="awards"),
    path("scores-template/", views.scores_template, name="scores_template"),
]
