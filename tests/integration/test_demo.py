"""`consult demo` runs the whole drill against the sandbox and exits 0."""

from __future__ import annotations

import pytest

from bot.demo import run_demo

pytestmark = pytest.mark.slow


async def test_demo_runs_the_drill_end_to_end(settings: object) -> None:
    lines: list[str] = []
    assert await run_demo(lines.append, speed=120.0) == 0
    text = "\n".join(lines)
    for expected in ("Đã mở #1", "Tham vấn khẩn #1", "minh bạch dữ liệu", "đã bị xóa vì mang dấu mật",
                     "⏰ Nhắc", "Đề nghị trả lời", "người thay thế", "Chưa trả lời (1)", "Kết quả tham vấn #1",
                     "(1 tin bị chặn vì mang dấu mật", "Xong. Mọi tin nhắn được lưu đã mã hóa"):
        assert expected in text, expected
    assert "Demo finished" not in text  # the Vietnamese drill speaks Vietnamese to its end
    assert "Phương án dự phòng" not in text  # the classified text was never relayed anywhere
