"""The berita acara (minutes) of one plan at one finalised seminar session, as a PDF.

Built with reportlab (pure Python, offline, standard PDF fonts). The texts follow the active
language; the page is A4 portrait.
"""

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from . import scoring

_styles = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=_styles["Normal"], fontSize=9.5, leading=12)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, leading=10)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=8.5, leading=10.5)
HEAD = ParagraphStyle("head", parent=BODY, fontName="Helvetica-Bold", alignment=TA_CENTER)
TITLE = ParagraphStyle(
    "title", parent=BODY, fontName="Helvetica-Bold", fontSize=13, leading=16, alignment=TA_CENTER
)
CENTER = ParagraphStyle("center", parent=BODY, alignment=TA_CENTER)


def _p(text, style=BODY):
    return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), style)


def _b(text, style=CELL):
    return Paragraph(f"<b>{escape(str(text or ''))}</b>", style)


def _percent(share) -> str:
    text = f"{share:f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _person(user) -> tuple[str, str]:
    if user is None:
        return "", ""
    employee = getattr(user, "employee", None) if user.employee_id else None
    name = user.get_full_name() or user.username
    nip = employee.nip_display if employee is not None else ""
    return name, nip


def berita_acara_pdf(*, session, plan, sheet, organizer, printed_at=None) -> bytes:
    """``sheet``: ``queries.plan_sheet(session, plan)`` of a finalised session."""
    printed_at = timezone.localtime(printed_at or timezone.now())
    batch = session.batch
    program = batch.program
    employee = plan.enrollment.employee
    result = sheet.result
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=_("Berita acara — %(title)s") % {"title": plan.title},
        author=str(program.institution),
        subject=result.number if result else "",
    )
    story = [
        _p(str(program.institution).upper(), HEAD),
        Spacer(1, 3 * mm),
        _p(_("BERITA ACARA OF THE PLAN SEMINAR"), TITLE),
        _p(session.get_kind_display(), CENTER),
        _p(_("Number: %(number)s") % {"number": result.number if result else "—"}, CENTER),
        Spacer(1, 5 * mm),
    ]
    when = timezone.localtime(session.starts_at)
    facts = [
        (_("Program"), program.name),
        (_("Batch"), batch.name),
        (_("Seminar"), session.get_kind_display()),
        (_("Date and time"), date_format(when, "DATETIME_FORMAT")),
        (_("Place"), session.place),
        (_("Participant"), employee.name),
        (_("NIP"), employee.nip_display),
        (_("Work unit"), str(employee.work_unit or "—")),
        (_("Plan title"), plan.title),
    ]
    table = Table(
        [[_b(k), _p(v, CELL)] for k, v in facts], colWidths=[38 * mm, None], hAlign="LEFT"
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    story += [table, Spacer(1, 5 * mm), _b(_("Scores"), BODY), Spacer(1, 2 * mm)]

    weights = [c.weight for c in sheet.criteria]
    header = [_b(_("Criterion")), _b(_("Weight")), _b(_("Max."))]
    header += [_b(_person(e)[0]) for e in sheet.examiners]
    rows = [header]
    for c in sheet.criteria:
        row = [
            _p(c.name, CELL),
            _p(f"{c.weight} ({_percent(scoring.weight_share(c.weight, weights))})", CELL),
            _p(c.max_score, CELL),
        ]
        for score in sheet.scores:
            item = score.by_criterion.get(c.pk) if score else None
            row.append(_p(item.value if item else "—", CELL))
        rows.append(row)
    rows.append(
        [_b(_("Weighted total (0–100)")), _p("", CELL), _p("", CELL)]
        + [_b(score.total if score else "—") for score in sheet.scores]
    )
    n = len(sheet.examiners)
    width = doc.width
    fixed = 60 * mm + 26 * mm + 12 * mm
    each = max((width - fixed) / max(n, 1), 18 * mm)
    first = max(width - 38 * mm - each * n, 40 * mm)
    scores_table = Table(
        rows, colWidths=[first, 26 * mm, 12 * mm] + [each] * n, repeatRows=1, hAlign="LEFT"
    )
    scores_table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
                ("BACKGROUND", (0, -1), (-1, -1), colors.Color(0.96, 0.96, 0.96)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [scores_table, Spacer(1, 4 * mm)]

    average = sheet.average
    outcome = (
        _("MEETS the pass mark")
        if result and result.passed
        else _("DOES NOT MEET the pass mark")
        if result
        else "—"
    )
    summary = [
        (_("Average of the examiners"), average if average is not None else "—"),
        (_("Pass mark"), sheet.pass_mark if sheet.pass_mark is not None else "—"),
        (_("Result"), outcome),
    ]
    summary_table = Table(
        [[_b(k), _b(v)] for k, v in summary], colWidths=[55 * mm, None], hAlign="LEFT"
    )
    story += [summary_table, Spacer(1, 4 * mm)]

    notes = []
    for examiner, score in zip(sheet.examiners, sheet.scores, strict=True):
        if score is None:
            continue
        name = _person(examiner)[0]
        lines = []
        if score.note:
            lines.append(
                _p(
                    _("%(name)s — overall note: %(note)s") % {"name": name, "note": score.note},
                    SMALL,
                )
            )
        for c in sheet.criteria:
            item = score.by_criterion.get(c.pk)
            if item and item.comment:
                lines.append(
                    _p(
                        _("%(name)s on “%(criterion)s”: %(comment)s")
                        % {"name": name, "criterion": c.name, "comment": item.comment},
                        SMALL,
                    )
                )
        notes += lines
    if notes:
        story += [_b(_("Notes of the examiners"), BODY), Spacer(1, 1 * mm), *notes]
    story.append(Spacer(1, 8 * mm))

    signers = [(_("Examiner"), e) for e in sheet.examiners] + [(_("Organizer"), organizer)]
    blocks = []
    for role, user in signers:
        name, nip = _person(user)
        blocks.append(
            [
                _p(role, CENTER),
                Spacer(1, 16 * mm),
                _p(f"( {name or '.' * 30} )", CENTER),
                _p(_("NIP %(nip)s") % {"nip": nip} if nip else "", CENTER),
            ]
        )
    per_row = 3
    grid = [blocks[i : i + per_row] for i in range(0, len(blocks), per_row)]
    grid[-1] += [""] * (per_row - len(grid[-1]))
    signatures = Table(grid, colWidths=[width / per_row] * per_row)
    signatures.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(
        KeepTogether(
            [
                _p(
                    _("Signed at %(place)s on %(date)s.")
                    % {
                        "place": session.place,
                        "date": date_format(
                            timezone.localtime(session.finalised_at or printed_at), "DATE_FORMAT"
                        ),
                    }
                ),
                Spacer(1, 3 * mm),
                signatures,
            ]
        )
    )

    def footer(canvas, doc_):
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.drawString(
            18 * mm,
            10 * mm,
            _("%(number)s · printed %(date)s · page %(page)d")
            % {
                "number": result.number if result else "",
                "date": date_format(printed_at, "DATETIME_FORMAT"),
                "page": doc_.page,
            },
        )
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
