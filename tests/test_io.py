"""Reading files safely and writing outputs atomically and injection-safe."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from p4c.errors import P4CError
from p4c.fastcsv import write_csv
from p4c.io import SheetSpec, atomic_path, neutralise, read_csv_rows, write_xlsx

DANGEROUS = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_neutralise_formula_text(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["ok", "a=b", 3, -2.5, None])
def test_neutralise_leaves_other_values(value: object) -> None:
    assert neutralise(value) == value


def test_csv_neutralises_text_columns_of_any_dtype(tmp_path: Path) -> None:
    frame = pd.DataFrame({"title": DANGEROUS, "score": [-1.5] * len(DANGEROUS)})
    frame["code"] = pd.Series(["=X"] * len(DANGEROUS), dtype="string")
    write_csv(frame, tmp_path / "out.csv")
    back = pd.read_csv(tmp_path / "out.csv", encoding="utf-8-sig", keep_default_na=False)
    assert all(v.startswith("'") for v in back["title"])
    assert all(v == "'=X" for v in back["code"])
    assert back["score"].tolist() == [-1.5] * len(DANGEROUS)  # numbers are not text
    assert (tmp_path / "out.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_xlsx_writes_text_never_formulas(tmp_path: Path) -> None:
    frame = pd.DataFrame({"title": ['=HYPERLINK("http://x")', "plain"], "score": [0.5, 0.25]})
    write_xlsx(
        [SheetSpec("Ranking", frame, number_formats={"score": "0.000"}, color_scale=["score"])],
        tmp_path / "out.xlsx",
    )
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx")["Ranking"]
    assert sheet["A2"].data_type == "s" and sheet["A2"].value.startswith("=HYPERLINK")
    assert sheet["B2"].value == 0.5 and sheet["B2"].number_format == "0.000"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:B3"
    assert sheet.conditional_formatting


def test_atomic_path_keeps_the_old_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("killed")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_atomic_path_gives_normal_permissions(tmp_path: Path) -> None:
    target = tmp_path / "new.txt"
    with atomic_path(target) as tmp:
        tmp.write_text("x", encoding="utf-8")
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a;b;c\n1;2,5;3\n", [["a", "b", "c"], ["1", "2,5", "3"]]),
        ('a,b,c\n1,"2,5",3\n', [["a", "b", "c"], ["1", "2,5", "3"]]),
        ('"x;y",b,c\n1,2,3\n', [["x;y", "b", "c"], ["1", "2", "3"]]),
        ("a;b\n1;\n", [["a", "b"], ["1", None]]),
    ],
)
def test_csv_separator_detection(tmp_path: Path, text: str, expected: list[list[object]]) -> None:
    path = tmp_path / "x.csv"
    path.write_text(text, encoding="utf-8")
    assert read_csv_rows(path) == expected


def test_csv_that_is_not_text(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"\x81\x8d\x8f\x90\x9d")  # undefined in cp1252 and invalid UTF-8
    with pytest.raises(P4CError, match="neither UTF-8 nor Windows-1252"):
        read_csv_rows(path)


# --- outputs that cannot be written ------------------------------------------------------------------

FULL_OR_READ_ONLY = [
    (errno.ENOSPC, "the disk is full", "Free some space on that disk, or write the file to another disk."),
    (errno.EROFS, "the disk is read-only", "Write the file to a folder on a disk you can write to."),
    (
        errno.EACCES,
        "permission denied",
        "Write the file to a folder you may write to, or ask for write access to this one.",
    ),
]


@pytest.mark.parametrize(("code", "reason", "hint"), FULL_OR_READ_ONLY)
def test_a_failed_write_is_a_clear_error_and_keeps_the_old_file(
    tmp_path: Path, code: int, reason: str, hint: str
) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(P4CError) as info, atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise OSError(code, os.strerror(code))
    assert info.value.message == f"cannot write {target}: {reason}"
    assert info.value.hint == hint
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_a_failed_rename_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(self: Path, target: Path) -> Path:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Path, "replace", full)
    with (
        pytest.raises(P4CError, match=r"^cannot write .*out\.csv: the disk is full\n"),
        atomic_path(tmp_path / "out.csv") as tmp,
    ):
        tmp.write_text("x", encoding="utf-8")
    assert list(tmp_path.iterdir()) == []


def test_a_folder_as_the_target(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(P4CError) as info, atomic_path(target) as tmp:
        tmp.write_text("x", encoding="utf-8")
    assert info.value.message == f"cannot write {target}: it is a folder"
    assert info.value.hint == "Give the path of a file, e.g. ranking.csv inside that folder."
    assert target.is_dir() and list(target.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


@pytest.mark.parametrize("below", [("out.csv",), ("sub", "out.csv")])  # EEXIST, then ENOTDIR
def test_a_file_in_the_way_of_the_folder(tmp_path: Path, below: tuple[str, ...]) -> None:
    (tmp_path / "data").write_text("a file", encoding="utf-8")
    target = tmp_path.joinpath("data", *below)
    with pytest.raises(P4CError) as info, atomic_path(target):
        pass
    assert info.value.message == f"cannot write {target}: a part of its path is a file, not a folder"
    assert info.value.hint == "Check the path: every part before the file name must be a folder."


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs the Linux /proc file system")
def test_a_system_folder_that_takes_no_files() -> None:
    target = Path("/proc/x.csv")
    with pytest.raises(P4CError) as info, atomic_path(target):
        pass
    assert info.value.message == f"cannot write {target}: {os.strerror(errno.ENOENT)}"
    assert info.value.hint == "Check the path, and that it is on a disk you may write to."


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a user that permissions apply to")
def test_a_folder_without_write_permission(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with (
            pytest.raises(P4CError, match=r"^cannot write .*out\.csv: permission denied\n"),
            atomic_path(locked / "out.csv"),
        ):
            pass
    finally:
        locked.chmod(0o700)


def test_other_errors_of_the_block_are_not_changed(tmp_path: Path) -> None:
    with pytest.raises(P4CError, match=r"^a user error$"), atomic_path(tmp_path / "out.csv"):
        raise P4CError("a user error")
    assert list(tmp_path.iterdir()) == []
