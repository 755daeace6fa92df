"""The pages' Jinja2 environment, with the filters that put dates and numbers in Russian."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

from app.web.assets import static_url
from app.web.wording import ru_counted, ru_moment, ru_number
from notifications.messages import ru_date

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
TEMPLATES.env.filters["ru_date"] = ru_date
TEMPLATES.env.filters["ru_moment"] = ru_moment
TEMPLATES.env.filters["number"] = ru_number
TEMPLATES.env.filters["counted"] = ru_counted
TEMPLATES.env.globals["static_url"] = static_url  # base.html loads htmx by it

# Pages opened by a personal link, whose address is the key: kept out of other sites' logs
# (no Referer), of caches and of search engines.
PRIVATE = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}
