"""The ASGI application uvicorn serves: `uvicorn bench.django_app.asgi:application`."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.django_app.settings")

from django.core.asgi import get_asgi_application

application = get_asgi_application()
