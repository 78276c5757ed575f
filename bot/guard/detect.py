"""Finding markings in a text, per the design's guard semantics.

Redaction regions come first (spans, portion-marked lines, registered terms), because a marking
inside one is removed, not stamped; every other marking is then judged by where it stands.
"""

from __future__ import annotations

from bot.guard.markings import MarkingForms
from bot.guard.normalise import Skeleton
from bot.guard.policy import GuardPolicy
from bot.guard.regions import RegionFinder
from bot.guard.stamps import StampFinder
from bot.guard.verdict import Finding


class Detector:
    def __init__(self, policy: GuardPolicy, term_key: bytes | None) -> None:
        self.policy = policy
        self.forms = MarkingForms(policy.markings, policy.handling_marks)
        self.regions = RegionFinder(policy, self.forms, term_key)
        self.stamps = StampFinder(policy, self.forms)

    def find(self, skeleton: Skeleton, respell: list[int] | None = None) -> tuple[list[Finding], list[Finding]]:
        """(regions to redact, stamps) with offsets into the original text; skeleton offsets where a
        marking's word is doubled or typed in Telex or VNI are added to `respell`."""
        regions, unpaired_tags = self.regions.find(skeleton)
        return regions, self.stamps.find(skeleton, regions, unpaired_tags, respell)
