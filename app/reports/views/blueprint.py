"""The reports blueprint itself, and what its views read alike from a request;
its routes are in the modules beside this one."""

from flask import Blueprint, request

from app.records.asof import as_of_from

from .. import asof

bp = Blueprint("reports", __name__)


def as_of_arg() -> asof.AsOf:
    """`?as_of=` and `?attribution=` (InvalidInput, a 400 page, when bad)."""
    return as_of_from(request.args)


def explicit_as_of_arg() -> asof.AsOf | None:
    """as_of_arg when the request states a day or an attribution (the dashboard's
    links and forms always do), else None (the cadres in their units now)."""
    if request.args.get("as_of") is None and request.args.get("attribution") is None:
        return None
    return as_of_arg()
