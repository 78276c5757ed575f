"""How much a file may unpack to, decided from what it declares before anything is parsed.

A zip's directory declares each part's packed and unpacked size, and Python's zipfile never reads
past the declared size (a part that inflates beyond it fails its CRC), so the directory is a bound
the parsers cannot exceed. Checking it first turns a decompression bomb into a refusal in
milliseconds, said as "too large" so the sender knows what to do.
"""

from __future__ import annotations

import zipfile

from bot.guard.policy import ArchiveLimits

MEGABYTE = 1_000_000
RATIO_FLOOR_BYTES = MEGABYTE  # small parts may pack very well (a run of spaces) and harm nothing


class TooLargeError(ValueError):
    """The file would unpack to more than the guard reads; `str()` says how, in the sender's terms."""


def check_archive(infos: list[zipfile.ZipInfo], limits: ArchiveLimits) -> None:
    if len(infos) > limits.max_members:
        raise TooLargeError(f"the file holds more than {limits.max_members} parts")
    total = 0
    for info in infos:
        if info.file_size > limits.max_member_bytes:
            raise TooLargeError(f"one part unpacks to more than {limits.max_member_bytes / MEGABYTE:g} MB")
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise TooLargeError(f"one part unpacks to over {limits.max_ratio:g} times its packed size")
        total += info.file_size
        if total > limits.max_total_bytes:
            raise TooLargeError(f"the file unpacks to more than {limits.max_total_bytes / MEGABYTE:g} MB")
