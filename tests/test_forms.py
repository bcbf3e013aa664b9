"""The base form (app.forms.FlaskForm) beyond its messages: how it renders."""

from wtforms import HiddenField, StringField

from app.forms import FlaskForm


class _Form(FlaskForm):
    name = StringField("Tên")
    kind = HiddenField()


def test_hidden_inputs_have_no_id_and_visible_fields_keep_theirs(app):
    with app.test_request_context():
        form = _Form()
        for hidden in (form.csrf_token(), form.kind(), str(form.hidden_tag())):
            assert 'type="hidden"' in hidden and " id=" not in hidden
        assert 'id="name"' in form.name()
        assert 'id="chosen"' in form.kind(id="chosen")  # given when rendered: kept
