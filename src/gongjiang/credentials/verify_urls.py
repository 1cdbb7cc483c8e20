from django.urls import path

from gongjiang.credentials import verify_views

app_name = "credentials_verify"

urlpatterns = [
    path("", verify_views.verify_page, name="verify"),
]
