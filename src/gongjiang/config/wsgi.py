import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjiang.config.settings")
application = get_wsgi_application()

from gongjiang.insight import tasks as insight_tasks  # noqa: E402  (needs the apps loaded above)

# Writes made through the web queue the data-quality checks and the snapshot rebuild for a
# `gongjiang worker` (core/tasks.py).
insight_tasks.listen()
# What is alive once the application is loaded (modules, Django's registries) lives as long as the
# process. Frozen, it is left out of the garbage collector's full passes, which otherwise walk it
# in the middle of requests (20–30 ms each, measured on recommendations in benchmarks/).
gc.freeze()
