"""The reports blueprint itself; its routes are in the modules beside this one."""

from flask import Blueprint

bp = Blueprint("reports", __name__)
