from django.urls import path

from gongjiang.credentials import views

app_name = "credentials"

urlpatterns = [
    path("registry/", views.registry_page, name="registry"),
    path("registry.json", views.registry_json, name="registry_json"),
    path("registry/new/", views.filing_new, name="filing_new"),
    path("registry/<str:number>/", views.filing_detail, name="filing"),
    path("equivalence/", views.equivalence, name="equivalence"),
    path("dual/", views.duals, name="duals"),
    path("integrated/", views.integrated, name="integrated"),
    path("status/<str:slug>", views.status_list, name="status_list"),
    path("certificates/", views.certificates, name="certificates"),
    path("certificates/batches/<int:pk>/", views.batch_progress, name="batch"),
    path("certificates/<str:number>/", views.certificate_detail, name="certificate"),
    path("certificates/<str:number>/credential.json", views.credential_json, name="credential_json"),
    path("certificates/<str:number>/print/", views.certificate_pdf, name="certificate_pdf"),
    path("shares/<int:pk>/revoke/", views.share_revoke, name="share_revoke"),
    path("shared/<str:token>/", views.shared, name="shared"),
]
