"""What the demo province is made of: a tree of units, the names ~300 cadres are drawn
from, the demo accounts and the campaign (app.demo.seed creates them).

Fictional data for trying the platform. The tree follows the two-tier local government
in force since 1 July 2025 (province → departments and communes → offices → teams).
"""

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

# username -> (full name, unit code, position, [(role, scoped at the province?)])
ACCOUNT_PROFILES = {
    "admin": (
        "Trần Quốc Bảo",
        "AG-SNV-VP",
        "Chuyên viên quản trị hệ thống",
        [("admin", False), ("learner", False)],
    ),
    "hr": (
        "Lê Thị Mỹ Hạnh",
        "AG-SNV-CCVC",
        "Chuyên viên phụ trách công chức, viên chức",
        [("hr", True), ("learner", False)],
    ),
    "trainer": (
        "Nguyễn Thanh Tùng",
        "AG-SNV-CCVC-DT",
        "Chuyên viên đào tạo, bồi dưỡng",
        [("trainer", True), ("learner", False)],
    ),
    "learner2": (
        "Huỳnh Thị Ngọc Hân",
        "AG-LX-VHXH",
        "Chuyên viên",
        [("learner", False)],
    ),
    "learner": (
        "Phạm Văn Đức",
        "AG-RG-HCC-MC",
        "Chuyên viên Bộ phận Một cửa",
        [("learner", False)],
    ),
}

CAMPAIGN = (
    "VHCV-2026",
    "Bồi dưỡng văn hóa công vụ năm 2026",
    2026,
    "VHCV",
    "VHCV-FINAL-2026",
)
