"""The offline proof: a compact payload signed with the platform's Ed25519 key, carried
in the QR code's URL fragment, checked by `flask certificates verify-offline`."""

from datetime import timedelta

import pypdfium2
import pytest
import zxingcpp

from app.certificates import signing
from app.certificates.pdf import render_certificate
from app.certificates.services import snapshot_for
from app.timeutil import utcnow
from tests.certificates.helpers import complete
from tests.certificates.test_pdf import make_snapshot
from tests.records.helpers import make_campaign


@pytest.fixture
def keys(tmp_path):
    private, public = tmp_path / "k.pem", tmp_path / "k.pub"
    text = signing.generate_keypair(private, public)
    return signing.load_private(private), signing.load_public(text), public


def test_a_signed_payload_verifies_and_carries_the_facts(keys):
    private, public, _ = keys
    token = signing.sign(make_snapshot(), private)
    result = signing.verify(f"https://x/verify/abc#p={token}", public)
    assert result.authentic
    snapshot = make_snapshot()
    assert result.facts["serial"] == snapshot.serial
    assert result.facts["full_name"] == snapshot.full_name


def test_tampered_wrong_key_and_garbage_are_not_authentic(keys, tmp_path):
    private, public, _ = keys
    payload, signature = signing.sign(make_snapshot(), private).split(".")
    facts = signing._unb64(payload).decode().replace("|9", "|10", 1)
    forged = f"{signing._b64(facts.encode())}.{signature}"
    assert not signing.verify(forged, public).authentic
    other = signing.load_public(
        signing.generate_keypair(tmp_path / "o.pem", tmp_path / "o.pub")
    )
    assert not signing.verify(f"{payload}.{signature}", other).authentic
    assert not signing.verify("not-a-token", public).authentic


def test_the_private_key_is_never_overwritten(keys, tmp_path):
    with pytest.raises(FileExistsError):
        signing.generate_keypair(tmp_path / "k.pem", tmp_path / "k2.pub")


def test_the_certificate_qr_code_carries_a_payload_the_cli_verifies(
    app, runner, tmp_path
):
    app.config["CERT_SIGNING_KEY"] = str(tmp_path / "keys" / "platform.pem")
    created = runner.invoke(args=["certificates", "keygen"])
    assert created.exit_code == 0, created.output
    assert (tmp_path / "keys" / "platform.pub").is_file()
    with app.app_context():
        make_campaign(tmp_path / "content")
        certificate = complete("in1", utcnow() + timedelta(minutes=1))
        snapshot = snapshot_for(certificate)
        pdf = render_certificate(snapshot)
    assert "#p=" in snapshot.verify_url
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=3).to_pil()
    finally:
        document.close()
    decoded = [b.text for b in zxingcpp.read_barcodes(image)]
    assert decoded == [snapshot.verify_url]
    good = runner.invoke(args=["certificates", "verify-offline", decoded[0]])
    assert good.exit_code == 0, good.output
    assert "XÁC THỰC" in good.output and "trực tuyến" in good.output
    assert "Nguyễn Văn An" in good.output
    forged = decoded[0].replace("#p=", "#p=A")
    bad = runner.invoke(args=["certificates", "verify-offline", forged])
    assert bad.exit_code != 0 and "KHÔNG XÁC THỰC" in bad.output
    again = runner.invoke(args=["certificates", "keygen"])
    assert again.exit_code != 0 and "không ghi đè" in again.output
