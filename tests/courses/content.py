"""Write a tiny course folder for tests."""

from pathlib import Path

COURSE = """---
code: T
title: Khóa thử
description: Khóa học dùng để kiểm thử.
audience: Cán bộ, công chức
periods: 2
---

Giới thiệu khóa học. Xem [học phần 1](01-mot.md).
"""

MODULE = """---
code: {code}
course: T
title: "{title}"
order: {order}
minutes: {minutes}
objectives:
  - "Hiểu nội dung {title}"
sources:
  - "Kế hoạch 115/KH-UBND tỉnh Sóc Trăng, mục III.1.b"
---

## Điều {order} — Định nghĩa

{body}
"""


def write_module(
    folder: Path,
    order: int,
    body: str = "Nội dung.",
    minutes: int = 4,
    title: str | None = None,
) -> Path:
    names = {1: "01-mot.md", 2: "02-hai.md", 3: "03-ba.md", 4: "04-bon.md"}
    path = folder / names[order]
    path.write_text(
        MODULE.format(
            code=f"T-M{order}",
            title=title or f"Học phần {order}",
            order=order,
            minutes=minutes,
            body=body,
        ),
        encoding="utf-8",
    )
    return path


# A 1×1 PNG, for the image route.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


def write_course(root: Path, modules: int = 3) -> Path:
    folder = root / "khoa-thu"
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "logo.png").write_bytes(PNG)
    (folder / "course.md").write_text(COURSE, encoding="utf-8")
    for order in range(1, modules + 1):
        body = (
            "Xem tiếp [học phần sau](02-hai.md#dieu-2-dinh-nghia)."
            if order == 1
            else "Nội dung."
        )
        write_module(folder, order, body)
    return folder
