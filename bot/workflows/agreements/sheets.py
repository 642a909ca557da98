"""The register's spreadsheet files: a CSV or XLSX read into numbered lines of text cells (for
csv_rows.py to check), and the blank templates /importar_acuerdos offers.

Pure functions of bytes, without the database: the handler runs them in a worker thread, so a
large file never holds the event loop.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

from bot.i18n import msg
from bot.workflows.agreements.csv_rows import HEADERS, LineError, refusal
from bot.workflows.errors import UserError

MAX_BYTES = 2_000_000
XLSX_MAGIC = b"PK\x03\x04"  # a zip archive, as every .xlsx is
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Table = list[tuple[int, list[str]]]


def read_table(content: bytes, file_name: str = "") -> Table:
    """(line number, cells) of every line of the file, header included."""
    if len(content) > MAX_BYTES:
        raise UserError(msg("El archivo es demasiado grande (máximo 2 MB)."))
    if content.startswith(XLSX_MAGIC) or file_name.lower().endswith(".xlsx"):
        return _read_xlsx(content)
    return _read_csv(content)


def _read_csv(content: bytes) -> Table:
    try:
        decoded = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(
            msg("El archivo no está en UTF-8. Guárdelo como «CSV UTF-8» e inténtelo de nuevo.")
        ) from exc
    first = decoded.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(decoded), delimiter=delimiter)
    table: Table = []
    try:
        for values in reader:
            table.append((reader.line_num, values))
    except csv.Error as exc:
        raise refusal(LineError(reader.line_num, msg("el formato CSV está dañado."))) from exc
    return table


def _read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook  # only when a workbook arrives: it is slow to import

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UserError(
            msg("No pude leer el libro XLSX. Guárdelo otra vez como libro de Excel (.xlsx) o como CSV UTF-8.")
        ) from exc
    try:
        sheet = book.worksheets[0]
        return [(n, [_text(v) for v in row]) for n, row in enumerate(sheet.iter_rows(values_only=True), 1)]
    finally:
        book.close()


def _text(value: object) -> str:
    """A cell as the CSV would hold it: dates as 2027-03-31, whole numbers without decimals."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def example_row(institution: str) -> list[str]:
    return [
        "",
        "Publicar el plan anual de integridad en el portal regional",
        institution,
        "",
        "2027-03-31",
        "pendiente",
        "0",
        "Plan publicado en el portal",
        "Sesión ordinaria",
        "",
    ]


def template_csv(institution: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([HEADERS, example_row(institution)])
    return out.getvalue().encode("utf-8-sig")


def template_xlsx(institution: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "acuerdos"
    sheet.append(HEADERS)
    sheet.append(example_row(institution))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEFGHIJ", (14, 60, 40, 16, 12, 12, 8, 30, 24, 30), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
