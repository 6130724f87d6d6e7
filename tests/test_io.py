"""Reading files safely and writing outputs atomically and injection-safe."""

from __future__ import annotations

import errno
import math
import os
import re
import resource
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from p4c import io as p4c_io
from p4c.config import Project
from p4c.errors import P4CError
from p4c.fastcsv import write_csv
from p4c.io import (
    Note,
    SheetSpec,
    atomic_path,
    column_letters,
    excel_error,
    formula_without_result,
    neutralise,
    read_book,
    read_csv_rows,
    write_xlsx,
)
from tests.books import workbook, write

DANGEROUS = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_neutralise_formula_text(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["ok", "a=b", "'quoted", "'", 3, -2.5, None])
def test_neutralise_leaves_other_values(value: object) -> None:
    assert neutralise(value) == value


@pytest.mark.parametrize(("text", "written"), [("'=1", "''=1"), ("''-2", "'''-2")])
def test_apostrophes_before_a_formula_are_guarded_too(text: str, written: str) -> None:
    """Else `'=1` would be read back as `=1`: the guard is taken off exactly once."""
    assert neutralise(text) == written
    assert p4c_io.unguard(written) == text


@given(st.text(alphabet=st.sampled_from(["'", "=", "+", "-", "@", "\t", "\r", "a", " "]), max_size=8))
def test_unguard_undoes_neutralise(text: str) -> None:
    guarded = neutralise(text)
    assert isinstance(guarded, str)
    assert p4c_io.unguard(guarded) == text


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


# --- hostile and malformed files ---------------------------------------------------------------------

XLSX_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{overrides}</Types>"
)
RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{}</Relationships>'
)
REL = (
    '<Relationship Id="{id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/{kind}" Target="{target}"/>'
)


def hand_xlsx(path: Path, sheets: dict[str, str], prefix: str = "") -> Path:
    """An xlsx written by hand: each sheet's `<sheetData>` content as given (cells as XML)."""
    p = f"{prefix}:" if prefix else ""
    xmlns = f"xmlns{':' + prefix if prefix else ''}"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    workbook_xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        + "".join(f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(sheets, start=1))
        + "</sheets></workbook>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", XLSX_CONTENT_TYPES.format(overrides=overrides))
        zf.writestr(
            "_rels/.rels", RELS.format(REL.format(id="rId1", kind="officeDocument", target="xl/workbook.xml"))
        )
        zf.writestr("xl/workbook.xml", workbook_xml)
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            RELS.format(
                "".join(
                    REL.format(id=f"rId{i}", kind="worksheet", target=f"worksheets/sheet{i}.xml")
                    for i in range(1, len(sheets) + 1)
                )
            ),
        )
        for i, data in enumerate(sheets.values(), start=1):
            zf.writestr(
                f"xl/worksheets/sheet{i}.xml",
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f'<{p}worksheet {xmlns}="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                f'<{p}dimension ref="A1"/><{p}sheetData>{data}</{p}sheetData></{p}worksheet>',
            )
    return path


def text_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


HEADER = ["service_id", "title", "category", "provider", "status"]
SERVICE = ["S-1", "Matchmaking", "NET", "DA", "ONGOING"]


def services_xml(extra: str = "") -> str:
    rows = [HEADER, SERVICE]
    return (
        "".join(
            f'<row r="{r}">'
            + "".join(text_cell(f"{chr(65 + c)}{r}", v) for c, v in enumerate(row))
            + "</row>"
            for r, row in enumerate(rows, start=1)
        )
        + extra
    )


def read(path: Path, max_rows: int = 200_000) -> Any:
    return read_book(path, max_rows=max_rows, max_file_mb=100, max_uncompressed_mb=500)


ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def hand_ods(path: Path, tables: dict[str, str]) -> Path:
    """An .ods written by hand: each table's rows as ODF XML."""
    body = "".join(f'<table:table table:name="{n}">{x}</table:table>' for n, x in tables.items())
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS} office:version="1.2">'
        f"<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        zf.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def ods_text(text: str, repeat: int = 1) -> str:
    rep = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="string"{rep}><text:p>{text}</text:p></table:table-cell>'


def ods_row(cells: list[str], repeat: int = 1) -> str:
    rep = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{rep}>" + "".join(ods_text(c) for c in cells) + "</table:table-row>"


def ods_partner() -> str:
    return "".join(
        ods_row(r)
        for r in [
            ["partner_code", "BE"],
            ["organisation", "A"],
            ["region", "Namur"],
            ["cluster_initiatives", "10"],
        ]
    )


def far_cell_xlsx(path: Path) -> Path:
    """A valid small workbook with one value at XFD20000 of its Services sheet."""
    partner = "".join(
        f'<row r="{r}">{text_cell(f"A{r}", k)}{text_cell(f"B{r}", v)}</row>'
        for r, (k, v) in enumerate(
            [
                ("partner_code", "BE"),
                ("organisation", "A"),
                ("region", "Namur"),
                ("cluster_initiatives", "10"),
            ],
            start=1,
        )
    )
    far = '<row r="20000"><c r="XFD20000"><v>1</v></c></row>'
    return hand_xlsx(path, {"Partner": partner, "Services": services_xml(far)})


def repeated_ods(path: Path) -> Path:
    """A tiny .ods whose one repeated cell in one repeated row spans 5,000 x 16,384 cells."""
    huge = (
        '<table:table-row table:number-rows-repeated="5000"><table:table-cell '
        'table:number-columns-repeated="16384" office:value-type="float" office:value="1">'
        "<text:p>1</text:p></table:table-cell></table:table-row>"
    )
    return hand_ods(path, {"Partner": ods_partner(), "Services": ods_row(HEADER) + huge})


def test_far_cell_xlsx_is_refused_naming_the_cell(tmp_path: Path) -> None:
    with pytest.raises(P4CError) as info:
        read(far_cell_xlsx(tmp_path / "BE.xlsx"))
    message = info.value.message
    assert "Services!XFD20000" in message and "16,384 columns" in message and "at most 200" in message


def test_far_row_xlsx_is_refused(tmp_path: Path) -> None:
    far = '<row r="900000"><c r="A900000"><v>1</v></c></row>'
    with pytest.raises(P4CError, match=r"Services!A900000 .*900,000 rows; the limit is 200,000"):
        read(hand_xlsx(tmp_path / "BE.xlsx", {"Services": services_xml(far)}))


def test_far_cell_of_a_cell_without_reference_is_found(tmp_path: Path) -> None:
    """Cells and rows without `r=` take the next position, as a reader places them."""
    cells = "<c><v>1</v></c>" * 300
    with pytest.raises(P4CError, match=r"Services!KN3 .*300 columns"):
        read(hand_xlsx(tmp_path / "BE.xlsx", {"Services": services_xml(f"<row>{cells}</row>")}))


def test_far_cell_with_a_namespace_prefix_is_found(tmp_path: Path) -> None:
    rows = (
        '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c></x:row>'
        '<x:row r="7"><x:c r="ZZ7"><x:v>1</x:v></x:c></x:row>'
    )
    with pytest.raises(P4CError, match=r"Services!ZZ7 "):
        read(hand_xlsx(tmp_path / "BE.xlsx", {"Services": rows}, prefix="x"))


def test_far_blank_formatting_is_no_error(tmp_path: Path) -> None:
    styled = '<row r="20000"><c r="XFD20000" s="1"/><c r="XFD20001" s="1"></c></row>'
    book = read(hand_xlsx(tmp_path / "BE.xlsx", {"Services": services_xml(styled)}))
    assert book.sheets["Services"] == [HEADER, SERVICE]


def test_far_cell_in_a_sheet_not_read_is_no_error(tmp_path: Path) -> None:
    sheets = {
        "Partner": '<row r="1">' + text_cell("A1", "partner_code") + text_cell("B1", "BE") + "</row>",
        "Services": services_xml(),
        "Lists": '<row r="20000"><c r="XFD20000"><v>1</v></c></row>',
    }
    book = read(hand_xlsx(tmp_path / "BE.xlsx", sheets))
    assert book.sheets["Services"] == [HEADER, SERVICE]


@pytest.mark.parametrize(
    "cell",
    [
        '<c s=">" r="XFD5000"><v>1</v></c>',  # `>` inside a value, before the reference
        "<c r='XFD5000'><v>1</v></c>",  # a single-quoted reference
        '<c s=\' r="A1"\' r="XFD5000"><v>1</v></c>',  # a reference-like text inside a value
        '<c r="XFD5000" s="/>"><v>1</v></c>',  # a self-closing look-alike inside a value
        '<c r="XFD5000"\ts="1"><v>1</v></c>',  # a tab between attributes
        '<c r="xfd5000"><v>1</v></c>',  # lower-case letters, which calamine reads as XFD5000
    ],
)
def test_far_cell_behind_an_odd_attribute_is_found(tmp_path: Path, cell: str) -> None:
    """Attributes are read as an XML parser reads them (calamine does): quotes respected, either
    quote, a value may hold `>`; so no spelling hides a far cell from the extent check."""
    rows = f'<row r="2">{cell}</row>'
    with pytest.raises(P4CError, match=r"Services!XFD5000 holds a value far right of the table"):
        read(hand_xlsx(tmp_path / "BE.xlsx", {"Services": services_xml(rows)}))


@pytest.mark.parametrize(
    ("target", "far"), [("Worksheets/Sheet2.xml", "Services!XFD5000"), ("nowhere.xml", "XFD5000")]
)
def test_far_cell_of_a_sheet_named_otherwise_is_found(tmp_path: Path, target: str, far: str) -> None:
    """A relationship that names the sheet's part in other letter case still leads calamine to it;
    one that names no part at all leaves the extent bounded by every part of the file."""
    rows = '<row r="2"><c r="XFD5000"><v>1</v></c></row>'
    path = hand_xlsx(tmp_path / "BE.xlsx", {"Partner": partner_sheet_xml(), "Services": services_xml(rows)})
    with zipfile.ZipFile(path) as zf:
        members = {info.filename: zf.read(info) for info in zf.infolist()}
    rels = "xl/_rels/workbook.xml.rels"
    members[rels] = members[rels].replace(b"worksheets/sheet2.xml", target.encode())
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    with pytest.raises(P4CError, match=re.escape(far) + " holds a value far right of the table"):
        read(path)


def partner_sheet_xml() -> str:
    return '<row r="1">' + text_cell("A1", "partner_code") + text_cell("B1", "BE") + "</row>"


@pytest.mark.parametrize(
    "attrs",
    [
        'table:style-name=">" table:number-columns-repeated="16384"',
        "table:number-columns-repeated='16384'",
    ],
)
def test_repeated_ods_behind_an_odd_attribute_is_refused(tmp_path: Path, attrs: str) -> None:
    huge = (
        f'<table:table-row table:number-rows-repeated="5000"><table:table-cell {attrs} '
        'office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>'
    )
    with pytest.raises(P4CError, match=r"16,384 columns"):
        read(hand_ods(tmp_path / "BE.ods", {"Partner": ods_partner(), "Services": ods_row(HEADER) + huge}))


def test_single_quoted_error_cell_is_a_cell_error(tmp_path: Path) -> None:
    rows = "<row r=\"3\"><c r='A3' t='e'><v>#DIV/0!</v></c></row>"
    book = read(hand_xlsx(tmp_path / "BE.xlsx", {"Services": services_xml(rows)}))
    assert book.sheets["Services"][2][0] == p4c_io.excel_error("#DIV/0!")


TRIAL_REFUSED = "reading the workbook would take more than 1024 MB of memory"


@pytest.mark.parametrize(
    "cell",
    [
        '<c r="AAAA60000"><v>1</v></c>',  # four letters: calamine reads them; the extent check does not
        '<c r="A2" r="XFD60000"><v>1</v></c>',  # two references: calamine takes the last
    ],
)
def test_a_far_cell_the_extent_check_misses_is_refused_by_the_trial(tmp_path: Path, cell: str) -> None:
    """What calamine would allocate is tried first in a child held to READ_MEMORY_MB: the child
    fails, the process goes on and says what to do."""
    path = hand_xlsx(tmp_path / "BE.xlsx", {"Services": services_xml(f'<row r="2">{cell}</row>')})
    with pytest.raises(P4CError, match=TRIAL_REFUSED):
        read(path)


def test_an_xls_with_a_far_cell_is_refused_by_the_trial(tmp_path: Path) -> None:
    """.xls has no extent check: one cell at row 65,536, column 256 would be a 1.2 GB grid."""
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Services")
    sheet.write(0, 0, "service_id")
    sheet.write(65535, 255, 1.5)
    book.save(str(tmp_path / "BE.xls"))
    with pytest.raises(P4CError, match=TRIAL_REFUSED):
        read(tmp_path / "BE.xls")


@pytest.mark.parametrize("suffix", [".xlsx", ".ods", ".xls"])
@pytest.mark.parametrize("part_rows", [4096, 1])
def test_the_rows_the_trial_read_are_used_not_parsed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str, part_rows: int
) -> None:
    """The child sends back what it read: the file is parsed once, and the rows are the same as
    those read in this process (error cells put in, control characters taken out, a table away
    from A1 in place), whether a sheet comes in one part or a part a row."""
    rows: list[list[Any]] = [HEADER, ["S1", "Caf\u00e9\x07 Z\u00fcrich", 1.5, None, True]]
    needs: list[list[Any]] = [[None] * 4, [None, None, "category", "importance"], [None, None, "NET", 3]]
    sheets = {"Partner": [["partner_code", "BE"]], "Services": rows, "Needs": needs}
    path = write(tmp_path / f"BE{suffix}", sheets)
    parsed_here = read(path)
    assert parsed_here.sheets["Needs"][2][2:] == ["NET", 3]
    monkeypatch.setattr(p4c_io, "_SENT_ROWS", part_rows)
    fds = len(list(Path("/proc/self/fd").iterdir()))

    def no_second_parse(*args: object) -> list[list[Any]]:
        raise AssertionError("the workbook was parsed again in this process")

    monkeypatch.setattr(p4c_io, "_parse", no_second_parse)
    from_child = read(path)
    assert from_child.sheets == parsed_here.sheets
    assert "\x07" not in from_child.sheets["Services"][1][1]
    assert [note.cell for note in from_child.notes] == [note.cell for note in parsed_here.notes]
    assert len(list(Path("/proc/self/fd").iterdir())) == fds, "the scratch file is closed"


def test_a_reader_error_in_the_child_is_reported_without_reading_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cell = '<row r="2"><c r="A2"><v>1</v></c></row>'
    path = hand_xlsx(tmp_path / "BE.xlsx", {"Services": services_xml(cell)})

    def reader_error(path: Path) -> object:
        raise ValueError("a reader error")

    def no_second_parse(*args: object) -> list[list[Any]]:
        raise AssertionError("the workbook was parsed again in this process")

    monkeypatch.setattr(p4c_io, "_load", reader_error)
    monkeypatch.setattr(p4c_io, "_parse", no_second_parse)
    expected = r"BE.xlsx: the file is corrupt or not a .xlsx workbook \(a reader error\)"
    with pytest.raises(P4CError, match=expected):
        read(path)


def test_when_the_child_cannot_send_the_rows_this_process_reads_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure to send is not the file's fault: the file is read here, and nothing is refused."""
    import pickle

    path = hand_xlsx(
        tmp_path / "BE.xlsx", {"Services": services_xml('<row r="2"><c r="A2"><v>7</v></c></row>')}
    )

    class Unsent(pickle.Pickler):
        def dump(self, obj: object) -> None:
            raise OSError("no room to send")

    parsed: list[str] = []
    parse = p4c_io._parse

    def spy(workbook: object, name: str, max_rows: int, sheet: str) -> list[list[Any]]:
        parsed.append(sheet)
        return parse(workbook, name, max_rows, sheet)

    monkeypatch.setattr(pickle, "Pickler", Unsent)
    monkeypatch.setattr(p4c_io, "_parse", spy)
    assert read(path).sheets["Services"][1][0] == 7
    assert parsed == ["Services"]


def test_a_child_reaped_by_someone_else_leaves_the_file_read_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host program that ignores SIGCHLD has its children reaped for it: the file is read here."""
    import signal

    cell = '<row r="2"><c r="A2"><v>3</v></c></row>'
    path = hand_xlsx(tmp_path / "BE.xlsx", {"Services": services_xml(cell)})
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        assert read(path).sheets["Services"][1][0] == 3
    finally:
        signal.signal(signal.SIGCHLD, previous)


def test_a_reader_panic_is_a_corrupt_file(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """calamine panics (not an Exception in Python) on a reference past its integers; the panic is
    met in the child, whose stderr is silent, so the user sees only the message."""
    cell = '<c r="AAAAAAA2147483648"><v>1</v></c>'
    path = hand_xlsx(tmp_path / "BE.xlsx", {"Services": services_xml(f'<row r="2">{cell}</row>')})
    with pytest.raises(P4CError, match=r"BE.xlsx: the file is corrupt or not a .xlsx workbook"):
        read(path)
    assert "panicked" not in capfd.readouterr().err


def test_a_csv_of_blank_lines_is_refused_before_its_rows_are_built(tmp_path: Path) -> None:
    path = tmp_path / "BE.csv"
    path.write_bytes(b"partner_code,title\n" + b"\n" * 1_000_000)
    with pytest.raises(P4CError, match=r"the CSV file has 1,000,001 rows; the limit is 1,000"):
        read(path, max_rows=1_000)


def test_repeated_ods_is_refused(tmp_path: Path) -> None:
    with pytest.raises(P4CError) as info:
        read(repeated_ods(tmp_path / "BE.ods"))
    assert "Services!XFD2" in info.value.message and "16,384 columns" in info.value.message


def test_repeated_ods_rows_are_refused(tmp_path: Path) -> None:
    rows = ods_row(HEADER) + ods_row(SERVICE, repeat=300_000)
    with pytest.raises(P4CError, match=r"300,001 rows; the limit is 200,000"):
        read(hand_ods(tmp_path / "BE.ods", {"Services": rows}))


def test_ods_trailing_blank_repeats_are_no_error(tmp_path: Path) -> None:
    """LibreOffice writes the blank rest of a sheet as repeated empty cells and rows."""
    trailing = (
        '<table:table-row table:number-rows-repeated="1048574">'
        '<table:table-cell table:style-name="ce1" table:number-columns-repeated="16384"/></table:table-row>'
    )
    row = ods_row(SERVICE).replace(
        "</table:table-row>", '<table:table-cell table:number-columns-repeated="16379"/></table:table-row>'
    )
    book = read(hand_ods(tmp_path / "BE.ods", {"Services": ods_row(HEADER) + row + trailing}))
    assert book.sheets["Services"] == [HEADER, SERVICE]


def _ingest_limited(project_root: Path, path: Path) -> subprocess.CompletedProcess[str]:
    """`p4c ingest` in a child process limited to 1.5 GB of address space."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024 * 1024,) * 2)

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    return subprocess.run(
        [sys.executable, "-m", "p4c", "--project", str(project_root), "ingest", str(path)],
        capture_output=True,
        text=True,
        preexec_fn=limit,
        env=env,
        timeout=120,
        check=False,
    )


def test_hostile_files_are_refused_within_memory(tmp_path: Path, project: Project) -> None:
    good = write(tmp_path / "BE.xlsx", workbook())
    done = _ingest_limited(project.root, good)
    assert done.returncode == 0, done.stdout + done.stderr
    for path, cell in (
        (far_cell_xlsx(tmp_path / "FR.xlsx"), "Services!XFD20000"),
        (repeated_ods(tmp_path / "DE.ods"), "Services!XFD2"),
    ):
        done = _ingest_limited(project.root, path)
        output = done.stdout + done.stderr
        assert done.returncode == 1, output
        assert "Traceback" not in output and cell in output.replace("\n", "")


# --- CSV encodings and rows --------------------------------------------------------------------------


def test_utf8_csv_with_one_cp1252_byte_is_an_error_naming_line_and_byte(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes("id;title\nS-1;Café Zürich\n".encode() + b"S-2;Caf\xe9\n")
    with pytest.raises(P4CError) as info:
        read_csv_rows(path)
    message = info.value.message
    assert "line 3: byte 0xE9 (at character 8 of the line) is not UTF-8" in message
    assert "save the file as CSV UTF-8" in message


def test_cp1252_csv_is_read_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes("id;title\nS-1;Café Zürich\n".encode("cp1252"))
    notes: list[Note] = []
    assert read_csv_rows(path, notes) == [["id", "title"], ["S-1", "Café Zürich"]]
    assert [n.message for n in notes] == [
        "x.csv is not UTF-8: it was read as Windows-1252 (Western European); check that accented "
        "letters are right, and save the file as CSV UTF-8 next time"
    ]


def test_utf8_csv_has_no_note(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes("id;title\nS-1;Café Zürich\n".encode())
    notes: list[Note] = []
    assert read_csv_rows(path, notes) == [["id", "title"], ["S-1", "Café Zürich"]]
    assert notes == []


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_csv_is_read(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes("id;title\nS-1;Café Zürich\n".encode(encoding))
    assert read_csv_rows(path) == [["id", "title"], ["S-1", "Café Zürich"]]


def test_csv_field_over_the_csv_limit_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text('id,title\nS-1,ok\nS-2,"never closed\n' + "x" * 140_000 + "\n", encoding="utf-8")
    with pytest.raises(P4CError, match=r"line 3: a field runs on for more than 131,072 characters"):
        read_csv_rows(path)


def test_csv_control_characters_are_stripped_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"id,title\nS-1,Net\x00work\x07ing\tday\nS-2,Matchmaking for cluster SMEs\n")
    notes: list[Note] = []
    assert read_csv_rows(path, notes) == [
        ["id", "title"],
        ["S-1", "Networking\tday"],
        ["S-2", "Matchmaking for cluster SMEs"],
    ]
    assert [(n.cell, n.value, n.message) for n in notes] == [
        (
            "Services!B2",
            "Networking\tday",
            "invisible control characters (U+0000, U+0007) were taken out of this cell",
        )
    ]


# --- OLE files and control characters in workbooks ---------------------------------------------------

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500


@pytest.mark.parametrize(
    ("stream", "words"),
    [
        ("EncryptionInfo", "password-protected (encrypted)"),
        ("Workbook", "old-format Excel 97-2003 workbook (.xls) named .xlsx; rename it to .xls"),
        ("WordDocument", "not a spreadsheet but a Word document (.doc) named .xlsx"),
        ("__substg1.0_0037001F", "not a spreadsheet but an Outlook message (.msg) named .xlsx"),
        ("Other", "not a spreadsheet but an Office file of another kind named .xlsx"),
    ],
)
def test_ole_files_are_told_apart(tmp_path: Path, stream: str, words: str) -> None:
    path = tmp_path / "BE.xlsx"
    path.write_bytes(OLE + stream.encode("utf-16-le") + b"\x00" * 64)
    with pytest.raises(P4CError) as info:
        read(path)
    assert words in info.value.message
    assert ("password" in info.value.message) == (stream == "EncryptionInfo")


def test_real_xls_named_xlsx(tmp_path: Path) -> None:
    path = write(tmp_path / "BE.xls", workbook())
    renamed = path.rename(tmp_path / "BE.xlsx")
    with pytest.raises(P4CError, match=r"Excel 97-2003 workbook \(.xls\) named .xlsx"):
        read(renamed)


@pytest.mark.parametrize(
    ("text", "codes"),
    [("Net_x0000_work_x0007_ing", "U+0000, U+0007"), ("Net&#1;work&#x7;ing", "U+0001, U+0007")],
)
def test_xlsx_control_characters_are_stripped_with_a_note(tmp_path: Path, text: str, codes: str) -> None:
    """Both ways XML can encode them: Excel's `_x0007_` and a character reference (`&#x7;`)."""
    cells = '<row r="3">' + text_cell("B3", text) + "</row>"
    book = read(hand_xlsx(tmp_path / "BE.xlsx", {"Services": services_xml(cells)}))
    assert book.sheets["Services"][2] == ["", "Networking", "", "", ""]
    assert [(n.cell, n.message) for n in book.notes] == [
        ("Services!B3", f"invisible control characters ({codes}) were taken out of this cell")
    ]


@given(st.binary(max_size=40), st.binary(min_size=1, max_size=4), st.integers(0, 3))
@example(b'<c r="A1" t="e">', b't="e"', 2)
def test_holds_is_in(part: bytes, text: bytes, at: int) -> None:
    """The quick look for a rare byte never hides the text: `_holds` is `in`, for any byte of it."""
    at %= len(text)
    assert p4c_io._holds(part, text, text[at : at + 1]) == (text in part)
    assert p4c_io._holds(part + text, text, text[at : at + 1])


def test_ods_error_cells_and_formulas_without_result(tmp_path: Path) -> None:
    """LibreOffice stores an error as value 0 with calcext:value-type="error"; not a zero."""
    cells = (
        '<table:table-row><table:table-cell office:value-type="string"><text:p>S-2</text:p>'
        '</table:table-cell><table:table-cell table:formula="of:=1/0" office:value-type="float" '
        'office:value="0" calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>'
        '<table:table-cell table:formula="of:=[.A1]"/></table:table-row>'
    )
    book = read(hand_ods(tmp_path / "BE.ods", {"Services": ods_row(HEADER) + ods_row(SERVICE) + cells}))
    row = book.sheets["Services"][2]
    assert row[:3] == ["S-2", excel_error("#DIV/0!"), formula_without_result("[.A1]")]
    assert str(row[2]) == "=[.A1]"


# --- write_xlsx: human headers, machine ids, labels beside codes, print setup ----------------------


def _ranking_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rank": [1, 2],
            "service_id": ["BE-01", "FR-02"],
            "category": ["NET", "FIN"],
            "relevance": [0.25, 0.125],
            "p_top": [0.5, 0.25],
        }
    )


@pytest.mark.parametrize(
    ("lang", "headers", "columns_sheet"),
    [
        (
            "en",
            [
                "Rank",
                "Service ID",
                "Category",
                "Category (label)",
                "Relevance",
                "Share of draws in the top k",
            ],
            "Columns",
        ),
        (
            "fr",
            [
                "Rang",
                "Identifiant",
                "Catégorie",
                "Catégorie (libellé)",
                "Adéquation",
                "Part des tirages dans le top k",
            ],
            "Colonnes",
        ),
        (
            "de",
            [
                "Rang",
                "Kennung",
                "Kategorie",
                "Kategorie (Bezeichnung)",
                "Relevanz",
                "Anteil der Ziehungen unter den ersten k",
            ],
            "Spalten",
        ),
    ],
)
def test_xlsx_headers_are_human_and_the_ids_are_in_the_last_sheet(
    tmp_path: Path, lang: str, headers: list[str], columns_sheet: str
) -> None:
    from p4c.headers import read_xlsx_ids

    labels = {"en": "Relevance", "fr": "Adéquation", "de": "Relevanz"}
    categories = {"NET": f"Networking {lang}", "FIN": f"Finance {lang}"}
    spec = SheetSpec(
        "Ranking",
        _ranking_frame(),
        labels={"relevance": labels[lang]},
        code_labels={"category": categories},
    )
    write_xlsx([spec], tmp_path / "out.xlsx", lang=lang)
    book = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert book.sheetnames == ["Ranking", columns_sheet]
    sheet = book["Ranking"]
    assert [c.value for c in sheet[1]] == headers
    assert [c.value for c in sheet[2]] == [1, "BE-01", "NET", f"Networking {lang}", 0.25, 0.5]
    assert [c.value for c in sheet[3]][3] == f"Finance {lang}"
    ids = ["rank", "service_id", "category", "category_label", "relevance", "p_top"]
    mapping = [[c.value for c in row] for row in book[columns_sheet].iter_rows(min_row=2)]
    assert mapping == [["Ranking", h, i] for h, i in zip(headers, ids, strict=True)]
    back = read_xlsx_ids(tmp_path / "out.xlsx", "Ranking")
    assert list(back.columns) == ids
    assert back["service_id"].tolist() == ["BE-01", "FR-02"]


def test_xlsx_repeated_headers_stay_distinct(tmp_path: Path) -> None:
    frame = pd.DataFrame({"note": ["a"], "remark": ["b"]})
    write_xlsx([SheetSpec("Notes", frame, labels={"remark": "Note"})], tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx")["Notes"]
    assert [c.value for c in sheet[1]] == ["Note", "Note (remark)"]


def test_xlsx_sheets_print_landscape_one_page_wide_with_the_header_repeated(tmp_path: Path) -> None:
    frame = pd.DataFrame({"reasons": ["x"], "title": ["y"]})
    write_xlsx([SheetSpec("Candidates", frame, widths={"reasons": 12})], tmp_path / "out.xlsx")
    book = openpyxl.load_workbook(tmp_path / "out.xlsx")
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.page_setup.paperSize == 9, sheet.title  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True, sheet.title
        # fitToWidth absent means 1 (the OOXML default); 0 pages tall means "as many as needed"
        assert (sheet.page_setup.fitToWidth or 1, sheet.page_setup.fitToHeight) == (1, 0), sheet.title
        assert sheet.print_title_rows == "$1:$1", sheet.title
        assert sheet.freeze_panes == "A2", sheet.title
    # "Reasons" is 7 characters in a column 12 wide: one line; the header row is as tall as it needs.
    assert book["Candidates"].row_dimensions[1].height == 18


def test_xlsx_header_row_grows_with_wrapped_headers(tmp_path: Path) -> None:
    frame = pd.DataFrame({"p_top": [0.5]})  # "Share of draws in the top k" in a column 10 wide
    write_xlsx([SheetSpec("Ranking", frame, widths={"p_top": 10})], tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx")["Ranking"]
    assert sheet.row_dimensions[1].height == 15 * 4 + 3  # Share of / draws in / the top / k


_CELL_TAGS = st.sampled_from(["held", "blank", "empty", "unreferenced", "row only"])


@settings(max_examples=300, deadline=None)
@example(  # a piece of XML cut between `<c r="E1000">` and its `</c>` once counted that empty cell
    rows=[
        (100, True, [(1, "held"), (1, "row only"), (1, "row only"), (1, "row only")]),
        (1000, False, [(1, "held"), (1, "held"), (1, "unreferenced"), *[(1, "row only")] * 2, (5, "empty")]),
    ],
    chunk=64,
)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(1, 3000),
            st.booleans(),  # the row tag has its r=
            st.lists(st.tuples(st.integers(1, 800), _CELL_TAGS), max_size=6),
        ),
        max_size=12,
    ),
    chunk=st.sampled_from([64, 200, 8 * 1024 * 1024]),
)
def test_sheet_extent_agrees_with_the_tag_by_tag_count(
    rows: list[tuple[int, bool, list[tuple[int, str]]]], chunk: int
) -> None:
    """The one-pass count of referenced cells finds what placing each tag in turn finds, and the
    quick bounds are never below it."""
    import io as stdio

    parts = []
    for number, with_ref, cells in rows:
        body = ""
        for column, kind in cells:
            ref = f"{column_letters(column - 1)}{number}"
            body += {
                "held": f'<c r="{ref}" s="1"><v>1</v></c>',
                "blank": f'<c r="{ref}" s="1"/>',
                "empty": f'<c r="{ref}"></c>',
                "unreferenced": "<c><v>2</v></c>",
                "row only": f'<c r="{number}"><v>3</v></c>',
            }[kind]
        parts.append((f'<row r="{number}">' if with_ref else "<row>") + body + "</row>")
    xml = ('<worksheet><cols><col min="1" max="2"/></cols><sheetData>' + "".join(parts)).encode()
    xml += b"</sheetData></worksheet>"
    oracle = p4c_io.Extent()
    p4c_io._xlsx_exact(xml, oracle, [0, 0])
    original = p4c_io._CHUNK
    p4c_io._CHUNK = chunk
    try:
        found = p4c_io._xlsx_extent(stdio.BytesIO(xml), exact=True)
        bounds = p4c_io._xlsx_extent(stdio.BytesIO(xml), exact=False, max_rows=1000)
    finally:
        p4c_io._CHUNK = original
    assert (found.rows, found.columns, found.row_cell, found.column_cell) == (
        oracle.rows,
        oracle.columns,
        oracle.row_cell,
        oracle.column_cell,
    )
    assert bounds.rows >= oracle.rows and bounds.columns >= oracle.columns


@settings(max_examples=200, deadline=None)
@given(
    cells=st.lists(st.tuples(st.integers(1, 1200), st.integers(1, 30), st.booleans()), max_size=40),
    chunk=st.sampled_from([64, 200, 8 * 1024 * 1024]),
)
def test_quick_bounds_of_near_cells_cover_every_held_cell(
    cells: list[tuple[int, int, bool]], chunk: int
) -> None:
    """Mostly cells within column Z and below the row limit's power of ten, as real sheets are (the
    one-search path), with now and then one beyond: the bounds are never below the exact extent."""
    import io as stdio

    body = "".join(
        f'<row r="{row}"><c r="{column_letters(column - 1)}{row}"'
        + ("><v>1</v></c>" if held else ' s="1"/>')
        + "</row>"
        for row, column, held in sorted(cells)
    )
    xml = f"<worksheet><sheetData>{body}</sheetData></worksheet>".encode()
    oracle = p4c_io.Extent()
    p4c_io._xlsx_exact(xml, oracle, [0, 0])
    original = p4c_io._CHUNK
    p4c_io._CHUNK = chunk
    try:
        bounds = p4c_io._xlsx_extent(stdio.BytesIO(xml), exact=False, max_rows=1000)
    finally:
        p4c_io._CHUNK = original
    assert bounds.rows >= oracle.rows and bounds.columns >= oracle.columns


def test_xlsx_data_cells_are_what_xlsxwriter_writes_cell_by_cell(tmp_path: Path) -> None:
    """The data rows written into the sheet XML read back (openpyxl) as xlsxwriter's own cells do:
    the same values, types and number formats, text kept as text."""
    import datetime as dt

    import xlsxwriter

    frame = pd.DataFrame(
        {
            "text": ["a & b < c > d", "  padded ", "=SUM(A1)", "bell\x07x", "x" * 40_000, None],
            "flag": [True, False, None, True, False, True],
            "count": pd.array([1, None, 3, -4, 0, 2**40], dtype="Int64"),
            "score": [0.1, float("nan"), 1e22, -0.0, float("inf"), 2 / 3],
            "day": [dt.date(2011, 3, 7), None, dt.date(1999, 12, 31), pd.NaT, dt.date(2024, 2, 29), None],
            "when": pd.to_datetime(
                ["2010-01-01 12:30", None, "2020-06-15 00:00", None, None, "1900-03-01 00:00"]
            ),
            "mixed": [1, "two", 3.5, dt.date(2012, 1, 2), None, object.__name__],
        }
    )
    formats = {"score": "0.000", "day": "dd/mm/yyyy"}
    ours = tmp_path / "ours.xlsx"
    write_xlsx([SheetSpec("Data", frame, formats)], ours)

    oracle = tmp_path / "oracle.xlsx"
    book = xlsxwriter.Workbook(str(oracle), {"strings_to_formulas": False, "nan_inf_to_errors": True})
    sheet = book.add_worksheet("Data")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for col, name in enumerate(frame.columns):
        fmt = book.add_format({"num_format": formats[name]}) if name in formats else None
        for row, value in enumerate(frame[name].tolist(), start=1):
            if value is None or value is pd.NA or value is pd.NaT:
                continue
            if isinstance(value, float) and math.isnan(value):
                continue
            if isinstance(value, str):
                sheet.write_string(row, col, value)
            elif isinstance(value, bool):
                sheet.write_boolean(row, col, value)
            elif isinstance(value, int | float):
                sheet.write_number(row, col, value, fmt)
            elif hasattr(value, "year"):
                sheet.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), fmt or date_format)
            else:
                sheet.write_string(row, col, str(value))
    book.close()

    def cells(path: Path) -> list[list[tuple[object, str]]]:
        ws = openpyxl.load_workbook(path)["Data"]
        return [
            [(c.value, c.number_format if c.value is not None else "") for c in row]
            for row in ws.iter_rows(2)
        ]

    assert cells(ours) == cells(oracle)
    ws = openpyxl.load_workbook(ours)["Data"]
    assert ws.dimensions == "A1:G7"
    assert (
        ws["A2"].value == "a & b < c > d" and ws["A3"].value == "  padded " and ws["A4"].value == "=SUM(A1)"
    )
    assert ws["A4"].data_type == "s"  # text, never a formula


# --- whole columns at once -------------------------------------------------------------------------

_CELL = re.compile(r'<c r="([A-Z]+\d+)"([^>]*)>(?:<v>([^<]*)</v>|(.*))</c>', re.DOTALL)


def _cells_of(texts: list[str]) -> list[tuple[str, str, object]]:
    """Each cell's reference, attributes and value; numbers compared as numbers (1.0 is 1)."""
    out: list[tuple[str, str, object]] = []
    for text in texts:
        if not text:
            out.append(("", "", None))
            continue
        match = _CELL.fullmatch(text)
        assert match is not None, text
        ref, attrs, number, body = match.groups()
        out.append(
            (ref, attrs, float(number) if number is not None and "t=" not in attrs else number or body)
        )
    return out


def _loop_cells(series: pd.Series, style: str) -> list[str]:
    rows = [str(r) for r in range(2, len(series) + 2)]
    return [
        p4c_io._cell_xml("C" + row, value, style, "")
        for row, value in zip(rows, series.tolist(), strict=True)
    ]


_TEXTS = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12),
    st.sampled_from(["", " ", "a & b", "<x>", "\xa0lead", "trail\u3000", "\u2028", "tab\t", "\x85"]),
)


@settings(max_examples=150, deadline=None)
@given(
    st.one_of(
        st.lists(_TEXTS, min_size=1, max_size=8).map(lambda v: pd.Series(v, dtype=object)),
        st.lists(_TEXTS, min_size=1, max_size=8).map(lambda v: pd.Series(v, dtype="string")),
        st.lists(
            st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=False)), min_size=1, max_size=8
        ).map(lambda v: pd.Series(v, dtype="float64")),
        st.lists(st.one_of(st.none(), st.integers(-(2**62), 2**62)), min_size=1, max_size=8).map(
            lambda v: pd.Series(v, dtype="Int64")
        ),
        st.lists(st.integers(-(2**62), 2**62), min_size=1, max_size=8).map(
            lambda v: pd.Series(v, dtype="int64")
        ),
        st.lists(st.booleans(), min_size=1, max_size=8).map(lambda v: pd.Series(v, dtype=bool)),
        st.lists(st.one_of(st.none(), st.booleans()), min_size=1, max_size=8).map(
            lambda v: pd.Series(v, dtype="boolean")
        ),
    ),
    st.sampled_from(["", ' s="3"']),
)
def test_a_column_written_at_once_is_the_cells_written_one_by_one(series: pd.Series, style: str) -> None:
    import pyarrow as pa

    numbers = pa.array([str(r) for r in range(2, len(series) + 2)], pa.large_string())
    fast = p4c_io._column_xml(series, '<c r="C', numbers, style)
    loop = _loop_cells(series, style)
    if fast is None:  # the column goes cell by cell: only where a cell needs it
        assert series.map(lambda v: isinstance(v, str) and bool(re.search("[\x00-\x08\x0b-\x1f]", v))).any()
        return
    assert _cells_of(fast.to_pylist()) == _cells_of(loop)


def _chunked(values: list[Any], kind: Any) -> pd.Series:
    """A column pandas keeps as Arrow in two chunks, as one read from the store is."""
    import pyarrow as pa

    return pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array([values[:1], values[1:]], kind)))


@pytest.mark.parametrize(
    "series",
    [
        pytest.param(_chunked(["a & b", None, " pad"], "large_string"), id="text"),
        pytest.param(_chunked([1.5, None, -2.25], "float64"), id="float"),
        pytest.param(_chunked([1, None, 3], "int64"), id="int"),
        pytest.param(_chunked([True, None, False], "bool"), id="bool"),
    ],
)
def test_a_column_in_arrow_chunks_is_written_at_once(series: pd.Series) -> None:
    import pyarrow as pa

    numbers = pa.array(["2", "3", "4"], pa.large_string())
    fast = p4c_io._column_xml(series, '<c r="C', numbers, "")
    assert fast is not None
    assert _cells_of(fast.to_pylist()) == _cells_of(_loop_cells(series, ""))
    frame = pd.DataFrame({"x": series})
    assert p4c_io._rows_xml(p4c_io._SheetData(0, frame, [""], [""])).count(b"<row ") == 3


@pytest.mark.parametrize(
    ("series", "why"),
    [
        (pd.Series([1.0, float("inf")]), "an infinity is an error cell"),
        (pd.Series(["ok", "bell\x07"], dtype=object), "a control character"),
        (pd.Series(["x" * 32_768], dtype=object), "text over Excel's limit"),
        (pd.Series([1, "two"], dtype=object), "mixed types"),
        (pd.Series(pd.to_datetime(["2020-01-01"])), "dates"),
    ],
)
def test_columns_that_go_cell_by_cell(series: pd.Series, why: str) -> None:
    import pyarrow as pa

    assert (
        p4c_io._column_xml(series, '<c r="A', pa.array(["2"] * len(series), pa.large_string()), "") is None
    ), why


def test_the_edge_space_class_is_str_isspace() -> None:
    """The Arrow pattern that decides xml:space="preserve" knows exactly the spaces Python does."""
    import pyarrow as pa
    import pyarrow.compute as pc

    chars = [
        chr(c)
        for c in range(0x3100)
        if not 0xD800 <= c <= 0xDFFF and not re.match("[\x00-\x08\x0b-\x1f]", chr(c))
    ]
    found = pc.match_substring_regex(pa.array(chars, pa.large_string()), p4c_io._EDGE_SPACE).to_pylist()
    assert [c for c, hit in zip(chars, found, strict=True) if hit != c.isspace()] == []


def test_meanwhile_gets_the_sheet_names_while_the_workbook_is_parsed(tmp_path: Path) -> None:
    """read_book hands the caller the workbook's sheet names, in its order, before the rows come
    (its work then runs while calamine parses); a CSV, read at once, has no such moment."""
    seen: list[list[str]] = []
    book = write(tmp_path / "BE.xlsx", {"Notes": [["x"]], **workbook([["BE-1", "Mentoring"]])})
    read = read_book(book, max_rows=100, max_file_mb=10, max_uncompressed_mb=100, meanwhile=seen.append)
    assert seen == [read.names] and read.names[0] == "Notes" and "Services" in read.names
    csv = tmp_path / "BE.csv"
    csv.write_text("service_id;title\nBE-1;Mentoring\n", encoding="utf-8")
    read_book(csv, max_rows=100, max_file_mb=10, max_uncompressed_mb=100, meanwhile=seen.append)
    assert len(seen) == 1
