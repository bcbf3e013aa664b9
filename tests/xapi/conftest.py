import pytest

from tests.xapi.helpers import PUBLIC, TinyLrs


@pytest.fixture
def lrs():
    server = TinyLrs()
    yield server
    server.close()


@pytest.fixture
def config_overrides(lrs):
    return {
        "VHCV_PUBLIC_URL": PUBLIC,
        "XAPI_LRS_URL": lrs.url,
        "XAPI_LRS_USERNAME": "vhcv",
        "XAPI_LRS_PASSWORD": "vhcv-test",
        "XAPI_BATCH_SIZE": 3,
    }
