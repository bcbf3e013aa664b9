"""API tokens are rate-limited per token (VHCV_API_RATE_LIMIT): 429 + Retry-After."""

import pytest

from tests.api.conftest import get
from tests.api.test_endpoints import CADRES, CERTIFICATES, UNITS, _error


@pytest.fixture
def config_overrides() -> dict:
    return {"API_RATE_LIMIT": "3 per minute"}


def test_a_token_past_its_limit_gets_429_with_retry_after(client, seeded):
    urls = (UNITS, CADRES, CERTIFICATES)  # one budget over every endpoint
    for url in urls:
        assert get(client, seeded["token"], url).status_code == 200
    response = get(client, seeded["token"], f"{UNITS}/D")
    _error(response, 429, "too_many_requests")
    assert int(response.headers["Retry-After"]) > 0
    # The limit is the token's, not the address's: another token still reads.
    assert get(client, seeded["c_token"], UNITS).status_code == 200
