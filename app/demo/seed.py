"""The demo province: a tree of units, ~300 cadres with Vietnamese names, demo accounts.

Fictional data for trying the platform. The tree follows the two-tier local government
in force since 1 July 2025 (province → departments and communes → offices → teams).
"""

import random
from dataclasses import dataclass

from sqlalchemy import select

from app.accounts import services, units
from app.accounts.models import Unit, User

PROVINCE = ("AG", "Ủy ban nhân dân tỉnh An Giang", "province")

# (code, name, kind, [(code, name, kind, [(code, name, kind)])])
TREE = [
    (
        "AG-VP",
        "Văn phòng Ủy ban nhân dân tỉnh",
        "department",
        [
            ("AG-VP-TH", "Phòng Tổng hợp", "office", []),
            (
                "AG-VP-HCTC",
                "Phòng Hành chính – Tổ chức",
                "office",
                [
                    ("AG-VP-HCTC-VT", "Tổ Văn thư – Lưu trữ", "team"),
                ],
            ),
        ],
    ),
    (
        "AG-SNV",
        "Sở Nội vụ",
        "department",
        [
            ("AG-SNV-VP", "Văn phòng Sở", "office", []),
            (
                "AG-SNV-CCVC",
                "Phòng Công chức, viên chức",
                "office",
                [
                    ("AG-SNV-CCVC-DT", "Tổ Đào tạo, bồi dưỡng", "team"),
                ],
            ),
            ("AG-SNV-TCBC", "Phòng Tổ chức bộ máy", "office", []),
            (
                "AG-SNV-TDKT",
                "Ban Thi đua – Khen thưởng",
                "office",
                [
                    ("AG-SNV-TDKT-NV", "Phòng Nghiệp vụ thi đua", "team"),
                ],
            ),
        ],
    ),
    (
        "AG-STC",
        "Sở Tài chính",
        "department",
        [
            ("AG-STC-VP", "Văn phòng Sở", "office", []),
            ("AG-STC-NS", "Phòng Quản lý ngân sách", "office", []),
        ],
    ),
    (
        "AG-SYT",
        "Sở Y tế",
        "department",
        [
            ("AG-SYT-VP", "Văn phòng Sở", "office", []),
            ("AG-SYT-NVY", "Phòng Nghiệp vụ Y", "office", []),
            (
                "AG-SYT-CDC",
                "Trung tâm Kiểm soát bệnh tật",
                "office",
                [
                    ("AG-SYT-CDC-TN", "Khoa Phòng, chống bệnh truyền nhiễm", "team"),
                    ("AG-SYT-CDC-XN", "Khoa Xét nghiệm", "team"),
                ],
            ),
        ],
    ),
    (
        "AG-SGD",
        "Sở Giáo dục và Đào tạo",
        "department",
        [
            ("AG-SGD-VP", "Văn phòng Sở", "office", []),
            ("AG-SGD-GDTH", "Phòng Giáo dục trung học", "office", []),
        ],
    ),
    (
        "AG-STP",
        "Sở Tư pháp",
        "department",
        [
            ("AG-STP-HCTP", "Phòng Hành chính tư pháp", "office", []),
        ],
    ),
    (
        "AG-SKHCN",
        "Sở Khoa học và Công nghệ",
        "department",
        [
            ("AG-SKHCN-VP", "Văn phòng Sở", "office", []),
            ("AG-SKHCN-CDS", "Phòng Chuyển đổi số", "office", []),
        ],
    ),
    (
        "AG-RG",
        "Ủy ban nhân dân phường Rạch Giá",
        "commune",
        [
            ("AG-RG-VP", "Văn phòng HĐND và UBND phường", "office", []),
            ("AG-RG-KT", "Phòng Kinh tế, Hạ tầng và Đô thị", "office", []),
            ("AG-RG-VHXH", "Phòng Văn hóa – Xã hội", "office", []),
            (
                "AG-RG-HCC",
                "Trung tâm Phục vụ hành chính công",
                "office",
                [
                    ("AG-RG-HCC-MC", "Bộ phận Một cửa", "team"),
                ],
            ),
        ],
    ),
    (
        "AG-LX",
        "Ủy ban nhân dân phường Long Xuyên",
        "commune",
        [
            ("AG-LX-VP", "Văn phòng HĐND và UBND phường", "office", []),
            ("AG-LX-VHXH", "Phòng Văn hóa – Xã hội", "office", []),
            ("AG-LX-HCC", "Trung tâm Phục vụ hành chính công", "office", []),
        ],
    ),
    (
        "AG-PQ",
        "Ủy ban nhân dân đặc khu Phú Quốc",
        "commune",
        [
            ("AG-PQ-VP", "Văn phòng HĐND và UBND đặc khu", "office", []),
            ("AG-PQ-KT", "Phòng Kinh tế", "office", []),
        ],
    ),
    (
        "AG-TH",
        "Ủy ban nhân dân xã Tân Hiệp",
        "commune",
        [
            ("AG-TH-VP", "Văn phòng HĐND và UBND xã", "office", []),
            ("AG-TH-HCC", "Trung tâm Phục vụ hành chính công", "office", []),
        ],
    ),
]

# A 2025-style merger shown in the demo: the unit exists, then is merged.
MERGED = ("AG-STTTT", "Sở Thông tin và Truyền thông", "department", "AG-SKHCN")

FAMILY = (
    ["Nguyễn"] * 8
    + ["Trần"] * 4
    + ["Lê"] * 3
    + [
        "Phạm",
        "Huỳnh",
        "Hoàng",
        "Phan",
        "Võ",
        "Đặng",
        "Bùi",
        "Đỗ",
        "Hồ",
        "Ngô",
        "Dương",
        "Lý",
        "Lâm",
        "Trương",
        "Danh",
        "Thạch",
        "Châu",
        "Quách",
        "Tô",
        "Đoàn",
    ]
)
MIDDLE_M = [
    "Văn",
    "Minh",
    "Thanh",
    "Hoàng",
    "Quốc",
    "Hữu",
    "Đức",
    "Công",
    "Tấn",
    "Văn Minh",
    "Thành",
]
MIDDLE_F = [
    "Thị",
    "Ngọc",
    "Thị Kim",
    "Thị Ngọc",
    "Thị Thu",
    "Thanh",
    "Mỹ",
    "Thị Bích",
    "Kim",
]
GIVEN_M = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Đạt",
    "Hải",
    "Hiếu",
    "Hùng",
    "Khang",
    "Khoa",
    "Long",
    "Lộc",
    "Minh",
    "Nam",
    "Nghĩa",
    "Phong",
    "Phúc",
    "Quang",
    "Sơn",
    "Tài",
    "Thắng",
    "Thịnh",
    "Toàn",
    "Trung",
    "Tuấn",
    "Việt",
    "Vinh",
    "Ẩn",
    "Bảo",
    "Đông",
]
GIVEN_F = [
    "Anh",
    "Ánh",
    "Chi",
    "Diễm",
    "Dung",
    "Giang",
    "Hà",
    "Hạnh",
    "Hằng",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Loan",
    "Mai",
    "My",
    "Ngân",
    "Nhung",
    "Oanh",
    "Phượng",
    "Quyên",
    "Thảo",
    "Thủy",
    "Trang",
    "Trinh",
    "Tuyết",
    "Uyên",
    "Vân",
    "Yến",
    "Ân",
]
POSITIONS = [
    ("Chuyên viên", "cong_chuc", 30),
    ("Chuyên viên chính", "cong_chuc", 10),
    ("Phó Trưởng phòng", "cong_chuc", 6),
    ("Trưởng phòng", "cong_chuc", 4),
    ("Cán sự", "cong_chuc", 5),
    ("Văn thư", "vien_chuc", 4),
    ("Kế toán viên", "vien_chuc", 4),
    ("Bác sĩ", "vien_chuc", 5),
    ("Điều dưỡng", "vien_chuc", 4),
    ("Giáo viên", "vien_chuc", 4),
    ("Nhân viên hợp đồng", "nguoi_lao_dong", 5),
    ("Phó Chủ tịch UBND", "can_bo", 2),
    ("Chỉ huy trưởng quân sự", "luc_luong_vu_trang", 1),
]

DEMO_PASSWORD = "Demo@2026"
DEMO_ACCOUNTS = [
    ("admin", DEMO_PASSWORD, "admin"),
    ("hr", DEMO_PASSWORD, "hr"),
    ("trainer", DEMO_PASSWORD, "trainer"),
    ("learner", DEMO_PASSWORD, "learner"),
    ("learner2", DEMO_PASSWORD, "learner"),
]
CADRES = 300


@dataclass
class SeedResult:
    units_created: int = 0
    cadres_created: int = 0
    accounts_created: int = 0


def seed_demo() -> SeedResult:
    """Create what is missing of the demo province; existing rows are left alone.

    Flushes, never commits.
    """
    result = SeedResult()
    root = _ensure_unit(result, *PROVINCE, None)
    for code, name, kind, offices in TREE:
        dept = _ensure_unit(result, code, name, kind, root)
        for o_code, o_name, o_kind, teams in offices:
            office = _ensure_unit(result, o_code, o_name, o_kind, dept)
            for t_code, t_name, t_kind in teams:
                _ensure_unit(result, t_code, t_name, t_kind, office)
    _ensure_merged(result, root)
    _ensure_cadres(result)
    _ensure_accounts(result)
    _mark_modules_read("learner2")
    _ensure_campaign()
    _adopt_content(root)
    return result


def _adopt_content(root) -> None:
    """The demo trainer (scoped at the province) may author the loaded content."""
    from app.content.ownership import adopt_unowned

    adopt_unowned(root)


CAMPAIGN = (
    "VHCV-2026",
    "Bồi dưỡng văn hóa công vụ năm 2026",
    2026,
    "VHCV",
    "VHCV-FINAL-2026",
)


def _ensure_campaign() -> None:
    """The 2026 campaign for the whole demo province (after `flask content sync`)."""
    from datetime import date

    from app.courses.models import Course
    from app.errors import NotFound
    from app.extensions import db
    from app.quizzes.models import Quiz
    from app.records import services as records
    from app.timeutil import vn_day_end, vn_day_start

    code, title, year, course, quiz = CAMPAIGN
    content_loaded = db.session.scalar(select(Course.id).where(Course.code == course))
    quiz_loaded = db.session.scalar(select(Quiz.id).where(Quiz.code == quiz))
    if not content_loaded or not quiz_loaded:
        return
    try:
        campaign = records.get_campaign(code)
    except NotFound:
        records.create_campaign(
            code,
            title,
            year,
            course,
            quiz,
            vn_day_start(date(2026, 3, 1)),
            vn_day_end(date(2026, 12, 31)),
            [_find(PROVINCE[0])],
        )
        return
    records.ensure_records(campaign)


def _mark_modules_read(username: str) -> None:
    """learner2 has read every module already, so the final quiz can be tried at once.
    Does nothing before `flask content sync` has loaded the course."""
    from datetime import timedelta

    from app.courses import services as courses
    from app.courses.models import ModuleProgress
    from app.extensions import db
    from app.timeutil import utcnow

    user = db.session.scalar(select(User).where(User.username == username))
    for course in courses.list_courses():
        for module in courses.active_modules(course):
            done = db.session.scalar(
                select(ModuleProgress.id).where(
                    ModuleProgress.user_id == user.id,
                    ModuleProgress.version_id == module.current_version_id,
                )
            )
            if done is None:
                opened = utcnow() - timedelta(minutes=module.current_version.minutes)
                db.session.add(
                    ModuleProgress(
                        user_id=user.id,
                        module_id=module.id,
                        version_id=module.current_version_id,
                        first_opened_at=opened,
                        last_seen_at=utcnow(),
                        seconds_spent=module.current_version.minutes * 60,
                        completed_at=utcnow(),
                    )
                )


def _find(code: str) -> Unit | None:
    from app.extensions import db

    return db.session.scalar(select(Unit).where(Unit.code == code))


def _ensure_unit(result, code, name, kind, parent) -> Unit:
    unit = _find(code)
    if unit is None:
        unit = units.create_unit(code, name, kind, parent)
        result.units_created += 1
    return unit


def _ensure_merged(result, root) -> None:
    code, name, kind, successor_code = MERGED
    if _find(code) is not None:
        return
    unit = _ensure_unit(result, code, name, kind, root)
    units.merge_unit(unit, _find(successor_code))


def _leaf_units() -> list[Unit]:
    from app.extensions import db

    return list(
        db.session.scalars(
            select(Unit)
            .where(Unit.active.is_(True), Unit.depth >= 1)
            .order_by(Unit.code)
        )
    )


def _ensure_cadres(result) -> None:
    from app.extensions import db

    rng = random.Random(2026)
    targets = _leaf_units()
    weights = [p[2] for p in POSITIONS]
    existing = set(db.session.scalars(select(User.employee_code)))
    for number in range(1, CADRES + 1):
        code = f"AG{number:05d}"
        female = rng.random() < 0.52
        middle = rng.choice(MIDDLE_F if female else MIDDLE_M)
        given = rng.choice(GIVEN_F if female else GIVEN_M)
        full_name = f"{rng.choice(FAMILY)} {middle} {given}"
        position, category, _ = rng.choices(POSITIONS, weights)[0]
        unit = targets[number % len(targets)]
        if code in existing:
            continue
        services.create_user(
            username=code.lower(),
            full_name=full_name,
            unit=unit,
            employee_code=code,
            position=position,
            category=category,
        )
        result.cadres_created += 1


def _ensure_accounts(result) -> None:
    from app.extensions import db

    province = _find(PROVINCE[0])
    specs = {
        "admin": (
            "Trần Quốc Bảo",
            "AG-SNV-VP",
            "Chuyên viên quản trị hệ thống",
            [services.RoleSpec("admin"), services.RoleSpec("learner")],
        ),
        "hr": (
            "Lê Thị Mỹ Hạnh",
            "AG-SNV-CCVC",
            "Chuyên viên phụ trách công chức, viên chức",
            [services.RoleSpec("hr", province), services.RoleSpec("learner")],
        ),
        "trainer": (
            "Nguyễn Thanh Tùng",
            "AG-SNV-CCVC-DT",
            "Chuyên viên đào tạo, bồi dưỡng",
            [services.RoleSpec("trainer", province), services.RoleSpec("learner")],
        ),
        "learner2": (
            "Huỳnh Thị Ngọc Hân",
            "AG-LX-VHXH",
            "Chuyên viên",
            [services.RoleSpec("learner")],
        ),
        "learner": (
            "Phạm Văn Đức",
            "AG-RG-HCC-MC",
            "Chuyên viên Bộ phận Một cửa",
            [services.RoleSpec("learner")],
        ),
    }
    for number, (username, password, _role) in enumerate(DEMO_ACCOUNTS, start=1):
        if db.session.scalar(select(User.id).where(User.username == username)):
            continue
        full_name, unit_code, position, roles = specs[username]
        services.create_user(
            username=username,
            full_name=full_name,
            unit=_find(unit_code),
            password=password,
            roles=roles,
            employee_code=f"AG9{number:04d}",
            position=position,
            must_change_password=False,
        )
        result.accounts_created += 1
