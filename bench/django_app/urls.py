"""URLs of the baseline: /api/lead/ like Guanxi's /api/lead."""

from rest_framework.routers import SimpleRouter

from bench.django_app.api import LeadViewSet

router = SimpleRouter()
router.register("api/lead", LeadViewSet, basename="lead")
urlpatterns = router.urls
