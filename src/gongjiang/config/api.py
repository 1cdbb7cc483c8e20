"""Assembles `/api/v1/` from each app's router."""

from gongjiang.assessment.api import router as assessment_router
from gongjiang.core.api import new_api
from gongjiang.core.api import router as audit_router
from gongjiang.credentials.api import router as credentials_router
from gongjiang.credentials.filing_api import router as credentials_filing_router
from gongjiang.credentials.verify_api import router as credentials_verify_router
from gongjiang.directory.api import router as directory_router
from gongjiang.insight.api import router as insight_router
from gongjiang.market.api import router as market_router
from gongjiang.refdata.api import router as refdata_router
from gongjiang.registry.api import router as registry_router
from gongjiang.registry.identity_api import router as registry_identity_router

api = new_api()
api.add_router("/directory", directory_router)
api.add_router("/refdata", refdata_router)
api.add_router("/core", audit_router)
api.add_router("/registry", registry_router)
api.add_router("/registry", registry_identity_router)
api.add_router("/market", market_router)
api.add_router("/insight", insight_router)
api.add_router("/assessment", assessment_router)
api.add_router("/credentials", credentials_verify_router)
api.add_router("/credentials", credentials_router)
api.add_router("/credentials", credentials_filing_router)
