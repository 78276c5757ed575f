"""What the draft report to the Prime Minister is made of, as plain values.

Decision 47/2025/QD-TTg has the national coordinator report to the Prime Minister on cross-pillar
issues on the basis of the consultations. The report is built from this model and nothing else,
so what it can show is decided here: texts as they were stored (allowed, or redacted with the
guard's placeholder) and, for blocked messages, only how many there were — a blocked message has
no text to carry. The model is language-neutral; the renderer picks the words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.consultation import Position


@dataclass(frozen=True)
class ReportScope:
    """A scope of the consultation with its names from the routing policy."""

    key: str
    name_vi: str
    name_en: str

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_vi


@dataclass(frozen=True)
class ReportParticipant:
    """One invited focal point and what became of the invitation.

    `responded_by` is the name of whoever answered for them (their alternate), or None when they
    answered themselves or not at all. `reason` is the reason an objector gave when asked (their
    latest reply to that question, trimmed): what the report quotes for an objection, and nothing else.
    """

    key: str
    name: str
    agency: str
    position: Position | None = None
    responded_at: datetime | None = None
    late: bool = False
    responded_by: str | None = None
    reason: ReportComment | None = None

    @property
    def answered(self) -> bool:
        return self.position is not None


@dataclass(frozen=True)
class ReportComment:
    """A comment as stored: `text` is the allowed or redacted text, never a blocked one.

    `author_key` ties a comment to the participant it speaks for (the person, or the one they
    answered for), so an objection is shown with its reasons.
    """

    author_key: str
    author: str
    agency: str
    at: datetime
    text: str
    redacted: bool = False


@dataclass(frozen=True)
class ReportIssuer:
    """The agency that issues the report, and what its clerks fill in (Decree 30/2020/ND-CP).

    `superior` is the governing agency printed above the issuer (empty for a ministry itself);
    `abbreviation` goes into the number `Số: …/BC-<abbreviation>`: the short name the routing
    policy declares for the issuer, else its full name (never initials made up from it); `archive` is the drafting
    unit kept on file after `Lưu: VT,`. Signer title and name are left for the coordinator when
    empty: the report is a draft, signed outside the bot.
    """

    agency: str
    superior: str = ""
    abbreviation: str = ""
    place: str = "Hà Nội"
    signer_title: str = ""
    signer_name: str = ""
    archive: str = ""
    recipients: tuple[str, ...] = ()

    def number_suffix(self) -> str:
        return self.abbreviation or self.agency


@dataclass(frozen=True)
class ConsultationReport:
    consultation_id: int
    title: str
    scopes: tuple[ReportScope, ...]
    opened_by: str
    opened_by_agency: str
    opened_at: datetime
    deadline_at: datetime
    closed_at: datetime | None
    issuer: ReportIssuer
    participants: tuple[ReportParticipant, ...] = ()
    comments: tuple[ReportComment, ...] = ()
    blocked_count: int = 0
    summary: str = ""
    zone: str = "Asia/Ho_Chi_Minh"
    issued_on: date | None = None  # None: the date is left for the clerk, as the number is
    kind: str = "consultation"  # or "notice": a dissemination, whose one answer is the acknowledgement
    # The deadlines in force before each extension, oldest first: an answer marked late missed
    # one of these, so the report shows them next to the last one (issue 26, item 4).
    earlier_deadlines: tuple[datetime, ...] = ()
    # Every agency's full name in the roster's order: comments are grouped under their agency in
    # this order (issue 26, item 4); agencies missing from it follow in the order they appear.
    agency_order: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for moment in (self.opened_at, self.deadline_at, self.closed_at, *self.earlier_deadlines,
                       *(p.responded_at for p in self.participants), *(c.at for c in self.comments)):
            if moment is not None and moment.tzinfo is None:
                raise ValueError("report times must carry a time zone")
        if self.blocked_count < 0:
            raise ValueError("blocked_count cannot be negative")

    @property
    def respondents(self) -> tuple[ReportParticipant, ...]:
        return tuple(p for p in self.participants if p.answered)

    @property
    def non_respondents(self) -> tuple[ReportParticipant, ...]:
        return tuple(p for p in self.participants if not p.answered)

    @property
    def objectors(self) -> tuple[ReportParticipant, ...]:
        return tuple(p for p in self.participants if p.position is Position.OBJECT)

    def agencies(self) -> tuple[str, ...]:
        """Consulted agencies in the order they first appear."""
        return tuple(dict.fromkeys(p.agency for p in self.participants))

    def agencies_in_roster_order(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """`names` (deduplicated) sorted as the roster lists agencies, unknown ones last as given."""
        rank = {name: index for index, name in enumerate((*self.agency_order, *self.agencies()))}
        unique = tuple(dict.fromkeys(names))
        return tuple(sorted(unique, key=lambda name: (rank.get(name, len(rank)), unique.index(name))))

    def comments_of(self, participant_key: str) -> tuple[ReportComment, ...]:
        return tuple(c for c in self.comments if c.author_key == participant_key)


# The stored message that is an objection's reason (the reply to «Lý do phản đối», issue 26 item 4):
# a kind of its own, so the report quotes it as the reason and never as a comment.
REASON_KIND = "reason"
REASON_LIMIT = 500  # of a reason, the report quotes one sentence or a few, never a transcript


def trimmed_reason(text: str) -> str:
    """A reason as the report quotes it: on one line, at most REASON_LIMIT characters, cut at a word."""
    flat = " ".join(text.split())
    if len(flat) <= REASON_LIMIT:
        return flat
    cut = flat[:REASON_LIMIT - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[REASON_LIMIT // 2:] else cut) + "…"


def title_in_sentence(title: str) -> str:
    """A consultation's title as it reads inside «Kết quả tham vấn nhanh về …»: its first letter
    made small («về lập trường…», not «về Lập trường…», issue 26 item 4) and a final full stop
    dropped. A title opening with a name keeps its capital: an acronym («ASEAN»), a word with a
    capital inside («eASEAN»), or a name of several capitalised words («Bộ Công Thương», «Việt Nam»)."""
    text = title.strip().rstrip(".").rstrip()
    words = text.split()
    if not words:
        return text
    first = words[0]
    acronym = sum(c.isupper() for c in first) > 1 or any(c.isupper() for c in first[1:])
    named = len(words) > 1 and words[1][:1].isupper()
    if acronym or named or not first[:1].isupper():
        return text
    return first[:1].lower() + text[1:]
