"""The accounts blueprint itself; its routes are in the modules beside this one."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)
