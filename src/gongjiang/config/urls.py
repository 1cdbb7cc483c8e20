from django.urls import include, path

from gongjiang.config.api import api
from gongjiang.credentials import views as credentials_views
from gongjiang.portal.views import healthz

# Refusals and missing pages in the site's own layout, in Chinese.
handler403 = "gongjiang.portal.views.forbidden"
handler404 = "gongjiang.portal.views.not_found"
handler400 = "gongjiang.portal.views.bad_request"
handler500 = "gongjiang.portal.views.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("registry/", include("gongjiang.registry.urls")),
    path("assessment/", include("gongjiang.assessment.urls")),
    path("credentials/", include("gongjiang.credentials.urls")),
    path("issuers/<str:code>/did.json", credentials_views.did_web, name="issuer_did"),
    path("market/", include("gongjiang.market.urls")),
    path("insight/", include("gongjiang.insight.urls")),
    path("credentials/verify/", include("gongjiang.credentials.verify_urls")),
    path("", include("gongjiang.portal.urls")),
]
