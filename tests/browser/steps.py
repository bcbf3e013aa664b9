"""Steps the browser tests share: signing in through the form, starting the quiz."""

from tests.factories import PASSWORD


def sign_in(page, url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the sign-in form and wait for the home page."""
    page.goto(f"{url}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{url}/")


def start_quiz(page, url: str, code: str = "Q") -> int:
    """Press "Bắt đầu làm bài" on the quiz's page; the attempt's id."""
    page.goto(f"{url}/quizzes/{code}")
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.wait_for_url("**/attempts/*")
    return int(page.url.rsplit("/", 1)[1].split("?")[0])
