"""The words of the attempt page's scripts (attempt.js, journal.js), translated for
the reader in Python and carried to them by the page's JSON configuration. Here
rather than in the template: two dozen strings through flask_babel.gettext directly
cost about half of what Jinja's call of the same gettext costs, on the page that
30 questions' worth of cadres reload all day. The words the page itself also shows
(a question's label and states) stay with the template's labels."""

from flask_babel import gettext as _
from flask_babel import ngettext


def attempt_script_texts() -> dict[str, str]:
    return {
        "saving": _("Đang lưu…"),
        "saved_question": _("Đã lưu câu {n}."),
        "cleared": _("Chưa trả lời (việc bỏ chọn đã lưu lúc {t})"),
        "cleared_question": _("Đã lưu: câu {n} chưa trả lời."),
        "remaining": _("Còn lại"),
        "flagged_question": _("Đã đánh dấu câu {n} để xem lại."),
        "unflagged_question": _("Đã bỏ đánh dấu câu {n}."),
        "flag_failed": _(
            "Chưa lưu được dấu của câu {n}; dấu được lưu khi bạn chuyển trang"
            " hoặc nộp bài."
        ),
        "saved_before": "✓ " + _("Đã lưu (trước khi tải lại trang)."),
        "state_pending": _("chưa lưu, đang chờ gửi"),
        "state_late": _("không được tính"),
        "pending": _("Chưa lưu — lựa chọn được giữ trên máy này, đang chờ gửi."),
        "offline": _(
            "Mất kết nối — các lựa chọn được giữ trên máy này và sẽ gửi khi có mạng."
        ),
        # The count's two forms (English: 1 choice, 2 choices); the script picks.
        "waiting_one": _waiting(1),
        "waiting": _waiting(2),
        "back_online": _("Đã có mạng trở lại; đang gửi các lựa chọn còn chờ."),
        "draining": _("Đang gửi các lựa chọn còn lại trước khi chuyển trang…"),
        "draining_offline": _("Chưa chuyển trang được: các lựa chọn còn chờ gửi."),
        "leaving_offline": _("Chưa chuyển trang được: đang chờ có mạng."),
        "submitting": _("Hết giờ: đang gửi các lựa chọn còn lại rồi nộp bài…"),
        "submitting_offline": _("Hết giờ: bài sẽ được nộp khi có mạng trở lại."),
        "late": "✗ " + _("Không được tính: lựa chọn này chưa gửi được trước hạn nộp."),
        # By the count of questions listed (English: question 3, questions 3, 5).
        "late_summary_one": _late_summary(1),
        "late_summary": _late_summary(2),
        "signed_out": _(
            "Phiên đăng nhập đã kết thúc: các lựa chọn chưa lưu vẫn được giữ trên máy"
            " này. Hãy đăng nhập lại rồi tải lại trang để gửi."
        ),
        "time_up": _("Hết giờ. Đang nộp bài…"),
        "five_minutes": _("Còn 5 phút."),
        "one_minute": _("Còn 1 phút."),
        **_other_page_texts(),
    }


def _other_page_texts() -> dict[str, str]:
    """Words for a choice saved on another page (a second device), for a server
    that does not answer, for a journal the browser cannot keep and for a
    sign-out in another tab."""
    return {
        "newer_shown": "✓ "
        + _(
            "Đã lưu lựa chọn được chọn sau ở trang khác (hiện ở đây); lựa chọn trước"
            " đó của trang này không được lưu."
        ),
        "newer_shown_question": _(
            "Câu {n}: lựa chọn ở trang khác mới hơn nên được giữ; trang đã hiện lựa"
            " chọn đó."
        ),
        "unreachable": _(
            "Chưa liên lạc được với máy chủ — các lựa chọn được giữ trên máy này và"
            " sẽ tự động gửi lại."
        ),
        "newer_kept": _(
            "Một lựa chọn mới hơn của câu này đã được lưu (từ trang khác); tải lại"
            " trang để xem."
        ),
        # The browser would not keep the journal (storage full or blocked).
        "offline_unkept": _(
            "Mất kết nối — trình duyệt này không lưu được lựa chọn trên máy (bộ nhớ"
            " đầy hoặc bị chặn): các lựa chọn chờ gửi chỉ còn trong trang này và sẽ"
            " gửi khi có mạng. Đừng tải lại hay đóng trang."
        ),
        "signed_out_unkept": _(
            "Phiên đăng nhập đã kết thúc, và trình duyệt này không lưu được các lựa"
            " chọn chưa gửi trên máy: tải lại trang sẽ làm mất chúng. Hãy ghi lại các"
            " lựa chọn còn chờ gửi trước khi đăng nhập lại."
        ),
        "pending_unkept": _(
            "Chưa lưu — đang chờ gửi; chỉ còn trong trang này (trình duyệt không lưu"
            " được trên máy)."
        ),
        # Signed out in another tab of this browser: the journal is not kept.
        "signed_out_here": _(
            "Bạn đã đăng xuất trên trình duyệt này: các lựa chọn chưa lưu đã được xóa"
            " khỏi máy và không được gửi. Hãy đăng nhập lại để làm tiếp."
        ),
        "unsent_signed_out": "✗ "
        + _("Chưa lưu: bạn đã đăng xuất nên lựa chọn này không được gửi."),
    }


def _waiting(count: int) -> str:
    return ngettext("{n} lựa chọn đang chờ gửi.", "{n} lựa chọn đang chờ gửi.", count)


def _late_summary(count: int) -> str:
    return ngettext(
        "Hết giờ: lựa chọn của câu {list} chưa gửi được trước hạn nên không được tính.",
        "Hết giờ: lựa chọn của câu {list} chưa gửi được trước hạn nên không được tính.",
        count,
    )
