from django.urls import path

from gongjiang.registry import record_views, views

app_name = "registry"

urlpatterns = [
    path("registrations/", views.registration_list, name="registration_list"),
    path("registrations/<int:registration_id>/", views.registration_detail, name="registration_detail"),
    path("queue/", views.approval_queue, name="queue"),
    path("schools/", views.schools, name="schools"),
    path("identities/", views.identity_checks, name="identity_checks"),
    path("identities/returned/", views.returned_identities, name="returned_identities"),
    path("queue/<str:kind>/<int:pk>/decide/", views.queue_decide, name="queue_decide"),
    path("queue/intake/", views.queue_approve_intake, name="queue_intake"),
    path("majors/", views.majors, name="majors"),
    path("classes/", views.classes, name="classes"),
    path("import/", views.import_registrations, name="import"),
    path("import/jobs/<str:token>/", views.import_job, name="import_job"),
    path("import/template/<str:kind>/", views.import_template, name="import_template"),
    path("import/errors/<str:token>/", views.import_errors_download, name="import_errors"),
    path("export/", views.export_registrations, name="export"),
    path("teachers/", record_views.teachers, name="teachers"),
    path("teachers/<int:teacher_id>/", record_views.teacher_detail, name="teacher_detail"),
    path("training/", record_views.training, name="training"),
    path("training/<int:programme_id>/", record_views.training_programme, name="training_programme"),
    path("placements/", record_views.placements, name="placements"),
    path("destinations/", record_views.destinations, name="destinations"),
    path("skills/", record_views.skills, name="skills"),
]
