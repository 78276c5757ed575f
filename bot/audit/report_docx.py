"""The draft report to the Prime Minister on a consultation, as a DOCX the coordinator edits and signs.

Laid out as Decree 30/2020/ND-CP wants an administrative report (see `docx_format`), filled from
a `ConsultationReport` and nothing else: the model carries only stored texts (allowed, or
redacted with the guard's placeholder) and a count of blocked messages, so no blocked content can
reach the file. Every word of the template comes from the catalogues, in the reader's language;
the same input gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import docx
from docx.document import Document as DocumentObject

from bot.audit import docx_format as fmt
from bot.domain.consultation import Position
from bot.domain.prose import MEANINGFUL_EMOJI, clipped, for_the_record
from bot.domain.report import ConsultationReport, ReportComment, ReportParticipant, title_in_sentence
from bot.i18n import catalog, normalise_language, t

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")
HEADING_COLUMNS_MM = (65.0, fmt.TEXT_WIDTH_MM - 65.0)
SIGNATURE_COLUMNS_MM = (80.0, fmt.TEXT_WIDTH_MM - 80.0)
POSITION_COLUMNS_MM = (12.0, 37.0, 51.0, 31.0, fmt.TEXT_WIDTH_MM - 131.0)
TALLY_ORDER = (Position.AGREE, Position.OBJECT, Position.MORE_TIME)


def report_file_name(report: ConsultationReport, lang: str = "vi") -> str:
    """A name that says what the file is and holds nothing of the title."""
    stem = "report-consultation" if normalise_language(lang) == "en" else "bao-cao-tham-van"
    return f"{stem}-{report.consultation_id}.docx"


def render_report_docx(report: ConsultationReport, lang: str = "vi") -> bytes:
    """The DOCX bytes of the draft report, in Vietnamese (`vi`) or English (`en`)."""
    language = normalise_language(lang)
    document = docx.Document()
    fmt.set_up(document, language)
    _Writer(document, report, language).write()
    doc_title = "pmreport.notice.doc_title" if report.kind == "notice" else "pmreport.doc_title"
    fmt.set_metadata(document, title=t(language, doc_title, consultation=report.consultation_id),
                     author=report.issuer.agency, at=report.opened_at,
                     language=language)
    return fmt.to_bytes(document)


class _Writer:
    def __init__(self, document: DocumentObject, report: ConsultationReport, language: str) -> None:
        self.doc = document
        self.report = report
        self.lang = language
        self.zone = ZoneInfo(report.zone)
        self.section_count = 0
        self.appendix: list[ReportComment] = []  # comments too long for the body, given whole at the end
        self.emoji_words = {emoji: self.t(f"emoji.{word}") for emoji, word in MEANINGFUL_EMOJI.items()}

    def t(self, key: str, **params: object) -> str:
        """A notice (dissemination) words some parts its own way: `pmreport.notice.<key>` when the
        catalogue has it."""
        if self.report.kind == "notice" and f"pmreport.notice.{key}" in catalog(self.lang):
            return t(self.lang, f"pmreport.notice.{key}", **params)
        return t(self.lang, f"pmreport.{key}", **params)

    def write(self) -> None:
        self.heading()
        self.subject()
        self.intro()
        self.issue()
        self.process()
        self.positions()
        if self.report.kind != "notice":  # a notice asks for no position, so none can object
            self.objections()
        self.comments()
        self.silent()
        self.summary()
        self.closing()
        self.signature()
        self.appendices()

    # -- heading block, subject ------------------------------------------------------------------

    def heading(self) -> None:
        issuer = self.report.issuer
        table = fmt.columns(self.doc, HEADING_COLUMNS_MM, rows=2)
        left, right = table.rows[0].cells
        if issuer.superior:
            fmt.paragraph(left, issuer.superior.upper(), size=fmt.HEADING_PT, align="center", after=0)
        fmt.paragraph(left, issuer.agency.upper(), size=fmt.HEADING_PT, bold=True, align="center", after=0)
        fmt.rule(left, 25, HEADING_COLUMNS_MM[0])
        fmt.paragraph(right, self.t("state_name"), size=fmt.STATE_NAME_PT, bold=True, align="center", after=0)
        fmt.paragraph(right, self.t("motto"), size=fmt.HEADING_PT, bold=True, underline=True, align="center",
                      after=0)
        number, place_date = table.rows[1].cells
        fmt.paragraph(number, self.t("number", suffix=issuer.number_suffix()), align="center", before=6, after=0)
        fmt.paragraph(place_date, self.place_date(), italic=True, align="center", before=6, after=0)

    def place_date(self) -> str:
        issued, place = self.report.issued_on, self.report.issuer.place
        if issued is None:
            return self.t("place_blank", place=place)
        return self.t("place_date", place=place, **_date_parts(issued, self.lang))

    def subject(self) -> None:
        fmt.paragraph(self.doc, self.t("kind"), size=fmt.TITLE_PT, bold=True, align="center", before=18, after=0,
                      keep_with_next=True)
        subject = self.t("subject", title=title_in_sentence(self.report.title))
        fmt.paragraph(self.doc, subject, size=fmt.TITLE_PT, bold=True,
                      align="center", after=0, keep_with_next=True)
        fmt.rule(self.doc, 40, fmt.TEXT_WIDTH_MM)
        fmt.paragraph(self.doc, "", after=6)

    def intro(self) -> None:
        self.body(self.t("intro", issuer=self.report.issuer.agency, consultation=self.report.consultation_id))

    # -- sections --------------------------------------------------------------------------------

    def section(self, key: str) -> None:
        number = ROMAN[self.section_count]
        self.section_count += 1
        fmt.paragraph(self.doc, f"{number}. {self.t(f'section.{key}')}", bold=True, align="left", indent=True,
                      before=6, keep_with_next=True)

    def body(self, text: str, *, italic: bool = False) -> None:
        fmt.paragraph(self.doc, text, italic=italic, indent=True)

    def item(self, text: str) -> None:
        self.body(f"- {text}")

    def issue(self) -> None:
        self.section("issue")
        self.body(self.report.title)
        scopes = "; ".join(scope.name(self.lang) for scope in self.report.scopes)
        if scopes:
            self.item(self.t("scopes", scopes=scopes))

    def process(self) -> None:
        report = self.report
        self.section("process")
        self.item(self.t("opened", moment=self.moment(report.opened_at), name=report.opened_by,
                         agency=report.opened_by_agency))
        if report.earlier_deadlines:  # the one a late answer missed is shown, then where it moved
            self.item(self.t("deadline_extended", moment=self.moment(report.earlier_deadlines[0]),
                             extended="; ".join(self.moment(d) for d in (*report.earlier_deadlines[1:],
                                                                          report.deadline_at))))
        else:
            self.item(self.t("deadline", moment=self.moment(report.deadline_at)))
        if report.closed_at is not None:
            self.item(self.t("closed", moment=self.moment(report.closed_at)))
        else:
            self.item(self.t("not_closed"))
        agencies = report.agencies()
        self.item(self.t("consulted", people=len(report.participants), agencies=len(agencies),
                         names=", ".join(agencies) or "—"))
        self.body(self.t("zone_note", offset=_utc_offset(report.opened_at.astimezone(self.zone))), italic=True)

    def positions(self) -> None:
        report = self.report
        self.section("positions")
        late = sum(1 for p in report.respondents if p.late)
        self.body(self.t("tally", answered=len(report.respondents), people=len(report.participants), late=late,
                         positions=self.tally(), silent=len(report.non_respondents)))
        if not report.participants:
            return
        table = fmt.columns(self.doc, POSITION_COLUMNS_MM, rows=1 + len(report.participants), grid=True)
        for cell, key in zip(table.rows[0].cells, ("number", "agency", "person", "position", "at"), strict=True):
            fmt.paragraph(cell, self.t(f"col.{key}"), bold=True, align="center", after=0)
        for index, participant in enumerate(report.participants, start=1):
            cells = table.rows[index].cells
            fmt.paragraph(cells[0], str(index), align="center", after=0)
            fmt.paragraph(cells[1], participant.agency, align="left", after=0)
            fmt.paragraph(cells[2], self.who(participant), align="left", after=0)
            fmt.paragraph(cells[3], self.position(participant), align="left", after=0)
            at = self.moment(participant.responded_at) if participant.responded_at else "—"
            fmt.paragraph(cells[4], at, align="left", after=0)
        fmt.paragraph(self.doc, "", after=0)

    def tally(self) -> str:
        counts: dict[Position, int] = {}
        for participant in self.report.respondents:
            assert participant.position is not None
            counts[participant.position] = counts.get(participant.position, 0) + 1
        ordered = [p for p in TALLY_ORDER if p in counts] + [p for p in counts if p not in TALLY_ORDER]
        parts = [self.t(f"tally.{p.value}", count=counts[p]) if f"pmreport.tally.{p.value}" in catalog(self.lang)
                 else f"{counts[p]} {t(self.lang, f'position.{p.value}').lower()}" for p in ordered]
        return ", ".join(parts) or self.t("tally.none")

    def who(self, participant: ReportParticipant) -> str:
        if participant.responded_by and participant.responded_by != participant.name:
            return self.t("answered_for", name=participant.responded_by, person=participant.name,
                          agency=participant.agency)
        return participant.name

    def position(self, participant: ReportParticipant) -> str:
        if participant.position is None:
            return self.t("no_answer")
        label = t(self.lang, f"position.{participant.position.value}")
        label = label[:1].upper() + label[1:]
        return f"{label} {self.t('late')}" if participant.late else label

    def objections(self) -> None:
        self.section("objections")
        objectors = self.report.objectors
        if not objectors:
            self.body(self.t("no_objections"))
        for objector in objectors:
            late = f" {self.t('late')}" if objector.late else ""
            self.item(self.t("objection", agency=objector.agency, who=self.who(objector), late=late))
            reasons = self.quoted([objector.reason] if objector.reason else [])  # what was given as the reason
            if not reasons:
                self.body(self.t("objection_no_reason"), italic=True)
            for comment in reasons:
                self.comment(comment)

    def comments(self) -> None:
        """Under the agency that made them, agencies in the roster's order, each one's comments
        in the order they were made (issue 26, item 4)."""
        self.section("comments")
        others = self.quoted(sorted(self.report.comments, key=lambda c: c.at))  # an objector's too
        if not others:
            self.body(self.t("no_comments"))
        for number, agency in enumerate(self.report.agencies_in_roster_order(tuple(c.agency for c in others)),
                                        start=1):
            fmt.paragraph(self.doc, f"{number}. {agency}", bold=True, indent=True, before=3, after=3,
                          keep_with_next=True)
            for comment in others:
                if comment.agency == agency:
                    self.comment(comment, with_agency=False)
        if self.report.blocked_count:
            self.body(self.t("blocked", count=self.report.blocked_count), italic=True)

    def quoted(self, comments: Iterable[ReportComment]) -> list[ReportComment]:
        """Comments as a ministry's document quotes them (issue 26, item 4): emoji removed (Times
        New Roman prints them as gaps) or, alone on a line, named in words («(đồng ý)»),
        repetition kept once, a comment its author already made left out, and one with nothing
        left dropped."""
        kept: list[ReportComment] = []
        seen: set[tuple[str, str, str]] = set()
        for comment in comments:
            text = for_the_record(comment.text, self.emoji_words)
            key = (comment.author_key, comment.author, " ".join(text.split()).casefold())
            if not text or key in seen:
                continue
            seen.add(key)
            kept.append(replace(comment, text=text))
        return kept

    def comment(self, comment: ReportComment, *, with_agency: bool = True) -> None:
        """The text, each of its lines a paragraph (a line break inside a justified paragraph
        would stretch the line before it across the page); past `CLIP_AT` characters cut, its
        whole given in the appendix. Under its agency's heading the agency is not repeated."""
        head = self.head(comment, with_agency=with_agency)
        text = comment.text
        head_only = clipped(text)
        if head_only is not None:
            self.appendix.append(comment)
            text = f"{head_only}{self.t('clipped')}"
        self.lines(f"+ {head} ", text)

    def head(self, comment: ReportComment, *, with_agency: bool = True) -> str:
        key = "comment_head" if with_agency else "comment_head_in_agency"
        return self.t(key, author=comment.author, agency=comment.agency, moment=self.moment(comment.at))

    def lines(self, lead: str, text: str) -> None:
        first, *rest = text.split("\n")
        made = fmt.paragraph(self.doc, "", indent=True, after=0 if rest else 6)
        fmt.add_run(made, lead, italic=True)
        fmt.add_run(made, first)
        for number, line in enumerate(rest, start=1):
            fmt.paragraph(self.doc, line, indent=True, after=6 if number == len(rest) else 0)

    def silent(self) -> None:
        self.section("silent")
        if not self.report.non_respondents:
            self.body(self.t("all_answered"))
        for participant in self.report.non_respondents:
            self.item(self.t("silent", agency=participant.agency, name=participant.name))

    def summary(self) -> None:
        self.section("summary")
        if self.report.summary.strip():
            for line in self.report.summary.strip().split("\n"):
                self.body(line)  # a paragraph per line, for the same reason as comments
        else:
            self.body(self.t("no_summary"), italic=True)

    def closing(self) -> None:
        self.body(self.t("closing", issuer=self.report.issuer.agency))

    # -- recipients and signature ----------------------------------------------------------------

    def signature(self) -> None:
        issuer = self.report.issuer
        table = fmt.columns(self.doc, SIGNATURE_COLUMNS_MM, rows=1)
        left, right = table.rows[0].cells
        fmt.paragraph(left, self.t("recipients"), size=fmt.RECIPIENTS_HEAD_PT, bold=True, italic=True, align="left",
                      before=12, after=0)
        lines = [self.t("recipient.pm"), self.t("recipient.ogov")]
        lines += [f"- {agency};" for agency in self.report.agencies() if agency != issuer.agency]
        lines += [f"- {extra};" for extra in issuer.recipients]
        lines.append(self.t("recipient.archive", archive=f", {issuer.archive}" if issuer.archive else ""))
        for line in lines:
            fmt.paragraph(left, line, size=fmt.RECIPIENTS_PT, align="left", after=0)
        title = issuer.signer_title.upper() if issuer.signer_title else self.t("signer_title")
        fmt.paragraph(right, title, bold=True, align="center", before=12, after=0)
        for _ in range(4):  # room for the signature and the seal
            fmt.paragraph(right, "", after=0)
        name = issuer.signer_name or self.t("signer_name")
        fmt.paragraph(right, name, bold=bool(issuer.signer_name), italic=not issuer.signer_name, align="center",
                      after=0)

    def appendices(self) -> None:
        """«Phụ lục: Toàn văn góp ý»: on a page of its own after the signature, each comment cut
        in the body given whole, in the order the body cut them."""
        if not self.appendix:
            return
        title = fmt.paragraph(self.doc, self.t("appendix"), size=fmt.TITLE_PT, bold=True, align="center",
                              after=12, keep_with_next=True)
        title.paragraph_format.page_break_before = True
        for number, comment in enumerate(self.appendix, start=1):
            self.lines(f"{number}. {self.head(comment)} ", comment.text)

    def moment(self, at: datetime) -> str:
        local = at.astimezone(self.zone)
        if self.lang == "en":
            day = f"{local.day} {MONTHS_EN[local.month - 1]} {local.year}"
        else:
            day = local.strftime("%d/%m/%Y")
        return self.t("moment", time=local.strftime("%H:%M"), date=day)


def _date_parts(issued: date, language: str) -> dict[str, str]:
    """Decree 30 writes days below 10 and the months January and February with a leading zero."""
    if language == "en":
        return {"day": str(issued.day), "month": MONTHS_EN[issued.month - 1], "year": str(issued.year)}
    return {"day": f"{issued.day:02d}", "month": f"{issued.month:02d}" if issued.month <= 2 else str(issued.month),
            "year": str(issued.year)}


def _utc_offset(local: datetime) -> str:
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
