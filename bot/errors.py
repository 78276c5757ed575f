"""One error hierarchy for the whole application.

Each error carries a catalogue key and parameters, not a finished sentence, so the same failure
can be told to a Telegram user in Vietnamese or English and to an operator on the command line.
The parameters must never hold message content, titles or key material: errors are logged.
"""

from __future__ import annotations

from typing import Any


class ConsultError(Exception):
    """Base of every error the application expects and knows how to explain."""

    message_key: str = "error.generic"

    def __init__(self, detail: str = "", /, **params: Any) -> None:
        self.detail = detail
        self.params = params
        super().__init__(detail or self.message_key)

    def __str__(self) -> str:
        return self.detail or self.message_key


class ConfigError(ConsultError):
    message_key = "error.config"


class LinkRefusedError(ConsultError, OSError):
    """A file to be written is a symbolic link: someone may have planted it in a shared folder to
    make the bot overwrite (and re-mode) what it points at. Still an OSError for callers that
    treat any failure to write as one."""

    message_key = "error.config"


class KeyError_(ConsultError):
    """Base for key problems; the trailing underscore avoids shadowing the builtin KeyError."""

    message_key = "error.key"


class KeyPermissionError(KeyError_):
    message_key = "error.key.permissions"


class KeyMissingError(KeyError_):
    message_key = "error.key.missing"


class KeyInvalidError(KeyError_):
    """A key is present but cannot open what it should (wrong key, tampered ciphertext)."""

    message_key = "error.key.invalid"


class CertificateError(KeyError_):
    """A certificate (or PKCS#12 file) cannot sign transcripts: wrong password, no key, expired."""


class StoreError(ConsultError):
    message_key = "error.store"


class LogTamperedError(StoreError):
    """The event log no longer agrees with a checkpoint signed before: events removed or rewritten."""


class MigrationError(StoreError):
    message_key = "error.migration"


class PolicyError(ConsultError):
    """A policy or roster file is wrong; `detail` names the file and line."""

    message_key = "error.policy"


class RosterError(PolicyError):
    message_key = "error.roster"


class UsageError(ConsultError):
    """A command was malformed; the handler answers with its usage."""

    message_key = "error.usage"


class TitleMissingError(UsageError):
    """`/urgent 2h aec:` with nothing after the colon; params: usage (the command)."""

    message_key = "error.title_missing"


class DeadlineMissingError(UsageError):
    """`/urgent aec: Title`, the deadline left out; params: usage, value (the word read as scope)."""

    message_key = "error.deadline_missing"


class DeadlineError(UsageError):
    """A deadline that cannot be read; params: value."""

    message_key = "error.deadline"


class DeadlineTooLongError(DeadlineError):
    """Read, but beyond the longest window; params: value, max_days."""

    message_key = "error.deadline_too_long"


class DeadlineNotFutureError(DeadlineError):
    message_key = "error.deadline_not_future"


class NotATimeOfDayError(DeadlineError):
    message_key = "error.deadline_time"


class AmbiguousDeadlineError(DeadlineError):
    """`8h` or `8 giờ`: 8 o'clock or eight hours; asked, not guessed. params: value, hour, clock."""

    message_key = "error.deadline_ambiguous"


class ScopeError(UsageError):
    """No scope given; params: known."""

    message_key = "error.scope"


class UnknownScopeError(ScopeError):
    """A scope the routing policy does not know; params: scope (as typed), known."""

    message_key = "error.scope_unknown"


class NotFoundError(ConsultError):
    message_key = "error.not_found"


class NotAuthorisedError(ConsultError):
    message_key = "error.not_authorised"


class NotEnrolledError(NotAuthorisedError):
    """No enrolled person has this Telegram user id; params: user_id."""

    message_key = "error.not_enrolled"


class NotParticipantError(NotAuthorisedError):
    """Enrolled, but neither invited to this consultation nor standing in for an invitee."""

    message_key = "error.not_participant"


class NotFocalPointError(NotAuthorisedError):
    """`/away` is for focal points and alternates: nobody receives on behalf of anyone else."""

    message_key = "error.not_focal_point"


class PrivateOnlyError(ConsultError):
    """A command that may only be used in the private chat with the bot (/export, /report, /stats)."""

    message_key = "error.private_only"


class StaleButtonError(ConsultError):
    """A button press that fits nothing current: malformed data, an unknown consultation, a form
    that is not the presser's or not at that step."""

    message_key = "error.stale_button"


class CaseNotYoursError(NotAuthorisedError):
    """A report of a false positive pressed by someone other than the blocked sender (a forged or
    forwarded button). Params: case."""

    message_key = "error.case_not_yours"


class NotOfficerError(NotAuthorisedError):
    """The officer's desk (/guard, /guardreport, a decision) asked for by someone who is no security
    officer, or by an agency officer about another agency's case. Params: command."""

    message_key = "error.not_officer"


class CaseDecidedError(ConsultError):
    """A decision on a case that is decided already. Params: case."""

    message_key = "error.case_decided"


class ConsultationClosedError(ConsultError):
    message_key = "error.closed"


class ClassifiedContentError(ConsultError):
    """Blocked content where it would abort the use case (a consultation's title). Params: rule,
    level, content_hmac — never the content."""

    message_key = "error.classified"


class ReportBlockedError(ClassifiedContentError):
    """The guard blocked the report drawn from a consultation (`/report`, `consult report`): it
    is neither sent nor written."""

    message_key = "error.report_blocked"


class NoInviteesError(UsageError):
    """The scopes call in nobody enrolled in the roster; params: scopes."""

    message_key = "error.no_invitees"


class NothingToNotifyError(UsageError):
    """The text of `/notify` was redacted to nothing but the guard's placeholders."""

    message_key = "error.notify_emptied"


class NoScopeChosenError(UsageError):
    """The guided form's "next" pressed with no scope chosen."""

    message_key = "form.no_scope"


class FormTitleError(UsageError):
    """The guided form's typed title is empty or too long; params: limit."""

    message_key = "form.title_invalid"


class InvalidTransitionError(ConsultError):
    message_key = "error.invalid_transition"


class GroupRightsError(ConsultError):
    """The bot may not delete messages in the coordination group: it must not run there, since a
    post the guard blocks would stay visible."""

    message_key = "error.group_rights"


class GuardError(ConsultError):
    """The guard itself failed; callers must treat the content as blocked."""

    message_key = "error.guard"


class StatsPeriodError(UsageError):
    """`/stats <days>d` was not a whole number of days in range; params: max_days."""

    message_key = "error.stats_period"


class AwayError(UsageError):
    """`/away <until>` could not be accepted; each case has its own message. Params: value, and
    max_days where a limit is told."""

    message_key = "error.away"


class AwayMalformedError(AwayError):
    message_key = "error.away.malformed"


class AwayPastError(AwayError):
    message_key = "error.away.past"


class AwayTooFarError(AwayError):
    message_key = "error.away.too_far"


class AwayNoteError(AwayError):
    """The note of `/away` is longer than its limit; params: limit."""

    message_key = "error.away.note"


class RollbackRefusedError(StoreError):
    """A restore or a start on a log behind the newest event the bot recorded outside the database."""


class ControlCharacterError(UsageError):
    """A title or name holds control characters (NUL, bidirectional overrides); params:
    characters (as U+XXXX). Refused rather than stripped, so what is stored is what was typed."""

    message_key = "error.control_characters"


class TimestampError(ConsultError):
    """The time-stamping authority (CONSULT_TSA_URL) refused, could not be reached, or answered
    with something that is not a time-stamp token."""
