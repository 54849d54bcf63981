"""The XLSX export of one analysis: a sheet of needs with their figures and a sheet of
problems with their need. Written with openpyxl's write-only workbook, row by row."""

from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from membumi.problems.enums import ProblemState, Sector

from . import queries
from .models import NeedsAnalysis


def _text(sheet, value):
    """Text from users goes into a cell as text, never as a formula (spreadsheet injection):
    openpyxl would otherwise write "=…" as a formula."""
    if not isinstance(value, str) or not value.startswith("="):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def _header(sheet, titles):
    cells = []
    for title in titles:
        cell = WriteOnlyCell(sheet, value=str(title))
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def needs_headers():
    return [
        _("No."),
        _("Need"),
        _("Keywords"),
        _("Problems"),
        _("Units affected"),
        _("USG total"),
        _("USG mean"),
        _("Accepted"),
        _("Example problems"),
    ]


def problem_headers():
    return [
        _("Need no."),
        _("Need"),
        _("Problem ID"),
        _("Title"),
        _("Agency"),
        _("Work unit"),
        _("Sector"),
        _("Urgency"),
        _("Seriousness"),
        _("Growth"),
        _("USG priority"),
        _("State"),
        _("Submitted"),
    ]


def write_xlsx(analysis: NeedsAnalysis) -> bytes:
    needs = queries.needs_table(analysis)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Needs"))
    sheet.append([_text(sheet, analysis.title)])
    sheet.append(
        [
            _("Run at"),
            timezone.localtime(analysis.created_at).replace(tzinfo=None),
            _("Problems analysed"),
            analysis.problem_count,
        ]
    )
    sheet.append([])
    sheet.append(_header(sheet, needs_headers()))
    for need in needs:
        sheet.append(
            [
                need.position,
                _text(sheet, need.label),
                _text(sheet, ", ".join(need.keywords or [])),
                need.problem_count,
                need.units_affected,
                need.priority_total,
                need.priority_mean,
                _("yes") if need.accepted else _("no"),
                _text(sheet, "; ".join(p.title for p in need.examples)),
            ]
        )
    sheet = workbook.create_sheet(_("Problems"))
    sheet.append(_header(sheet, problem_headers()))
    # Translate the choice labels once, not once per row (get_FOO_display is slow in bulk).
    sectors = {value: str(label) for value, label in Sector.choices}
    states = {value: str(label) for value, label in ProblemState.choices}
    rows = queries.analysis_problem_rows(analysis).iterator(chunk_size=2000)
    for position, label, pk, title, agency, unit, sector, u, s, g, usg, state, created in rows:
        sheet.append(
            [
                position,
                _text(sheet, label),
                pk,
                _text(sheet, title),
                agency,
                _text(sheet, unit),
                sectors.get(sector, sector),
                u,
                s,
                g,
                usg,
                states.get(state, state),
                timezone.localtime(created).date(),
            ]
        )
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
