from tests.html_checks import id_faults


def test_id_faults_are_found():
    assert id_faults('<p id="a"></p><p id="b"><i id="a"></i>') == {"id a twice"}
    assert id_faults('<p id="a"></p><p>id="a"</p>') == set()
    assert id_faults('<label for="x">X</label><input id="y">') == {
        "label for missing x"
    }
    assert id_faults('<label for="x">X</label><input id="x">') == set()
