"""Content, people and scope for authoring tests: course T (modules T-M1..3) and
quiz Q (banks B1..B3) owned by unit D; `trainer` authors in D, `outsider` in C."""

import io

from app.content.modules import load_content
from app.content.ownership import adopt_unowned
from app.content.sync_courses import sync_content, url_builders
from app.extensions import db
from tests.courses.content import write_course
from tests.factories import make_tree, make_user
from tests.quizzes.helpers import make_quiz


def make_authoring(app, tmp_path) -> dict:
    write_course(tmp_path)
    app.config["COURSES_DIR"] = str(tmp_path)
    with app.app_context():
        sync_content(load_content(tmp_path), *url_builders())
        make_quiz()
        tree = make_tree()
        adopt_unowned(tree["D"])
        db.session.commit()
        make_user(
            "trainer", tree["D"], roles=[("trainer", tree["D"]), ("learner", None)]
        )
        make_user("outsider", tree["C"], roles=[("trainer", tree["C"])])
        make_user("learner", tree["D1A"], full_name="Lê Văn Học")
        make_user("hr", tree["D"], roles=[("hr", tree["D"])])
        return {"tree": {k: u.id for k, u in tree.items()}}


def upload_questions(client, auth, data: bytes, name: str, fmt="auto", bank="B1"):
    """POST a question file to bank `bank`'s upload form (its preview answers)."""
    form = f"/authoring/banks/{bank}/upload"
    return client.post(
        form,
        data={
            "csrf_token": auth.token(form),
            "format": fmt,
            "file": (io.BytesIO(data), name),
        },
        content_type="multipart/form-data",
    )
