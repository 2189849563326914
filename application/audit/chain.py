"""The hash chain over the event log, and the export format auditors verify offline.

Each link covers the previous link and one stored record (aggregate id, version, topic,
stored bytes, log position), so changing, deleting, inserting or reordering any stored row
changes every link after it. Pure functions only: the CLI verifies an export with no database.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
EXPORT_FORMAT = "partnerlab-audit-export/1"


@dataclass(frozen=True)
class StoredRecord:
    position: int
    originator_id: str
    originator_version: int
    topic: str
    state: bytes


@dataclass(frozen=True)
class Link:
    position: int
    link: str


@dataclass(frozen=True)
class Digest:
    """The head of the chain: an auditor keeps it to prove later that nothing before changed."""

    position: int
    link: str


@dataclass(frozen=True)
class Mismatch:
    position: int
    kind: str  # "changed", "deleted", "inserted", "digest-mismatch", "malformed"
    detail: str


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    head: Digest | None
    unchained: int
    first_mismatch: Mismatch | None


def link_hash(previous: str, record: StoredRecord) -> str:
    digest = hashlib.sha256()
    digest.update(previous.encode("ascii"))
    digest.update(
        f"\n{record.position}\n{record.originator_id}\n{record.originator_version}\n"
        f"{record.topic}\n".encode()
    )
    digest.update(record.state)
    return digest.hexdigest()


def chain(records: Iterable[StoredRecord], previous: str = GENESIS) -> Iterator[Link]:
    for record in records:
        previous = link_hash(previous, record)
        yield Link(record.position, previous)


def verify_against_links(
    records: Iterable[StoredRecord | Mismatch],
    links: Iterable[Link],
    *,
    expected: Digest | None = None,
) -> Verification:
    """Walk the stored rows and the recorded links together, in position order.

    Stops at the first position where they disagree: a row whose link does not match
    (changed or reordered), a link whose row is gone (deleted), a row with no link inside the
    chained range (inserted). Rows after the chain's head are not yet chained (``unchained``).
    With ``expected``, also checks that the history up to that digest recomputes to it.
    A ``Mismatch`` among the records is a row that could not even be read (``malformed``).
    """
    record_iter = iter(records)
    link_iter = iter(links)
    record = next(record_iter, None)
    recorded = next(link_iter, None)
    previous = GENESIS
    checked = 0
    head: Digest | None = None
    while record is not None and recorded is not None:
        if isinstance(record, Mismatch):
            if recorded.position < record.position:
                return _failed(checked, head, _deleted(recorded.position))
            return _failed(checked, head, record)
        if record.position == recorded.position:
            computed = link_hash(previous, record)
            if computed != recorded.link:
                return _failed(
                    checked,
                    head,
                    Mismatch(
                        record.position,
                        "changed",
                        "the stored record no longer matches its link "
                        "(its payload was changed or rows were reordered)",
                    ),
                )
            if (
                expected is not None
                and record.position == expected.position
                and computed != expected.link
            ):
                return _failed(checked, head, _digest_mismatch(expected))
            previous = computed
            head = Digest(record.position, computed)
            checked += 1
            record = next(record_iter, None)
            recorded = next(link_iter, None)
        elif record.position < recorded.position:
            return _failed(
                checked,
                head,
                Mismatch(record.position, "inserted", "a stored record has no link in the chain"),
            )
        else:
            return _failed(
                checked,
                head,
                Mismatch(recorded.position, "deleted", "a chained record is missing from the log"),
            )
    if recorded is not None:
        return _failed(
            checked,
            head,
            Mismatch(recorded.position, "deleted", "a chained record is missing from the log"),
        )
    unchained = 0
    while record is not None:
        if isinstance(record, Mismatch):
            return _failed(checked, head, record)
        unchained += 1
        record = next(record_iter, None)
    if expected is not None and (head is None or head.position < expected.position):
        return _failed(checked, head, _digest_mismatch(expected))
    return Verification(True, checked, head, unchained, None)


def _deleted(position: int) -> Mismatch:
    return Mismatch(position, "deleted", "a chained record is missing from the log")


def _digest_mismatch(expected: Digest) -> Mismatch:
    return Mismatch(
        expected.position,
        "digest-mismatch",
        "the history up to the given digest does not recompute to it: it was rewritten",
    )


def _failed(checked: int, head: Digest | None, mismatch: Mismatch) -> Verification:
    return Verification(False, checked, head, 0, mismatch)


# ---------------------------------------------------------------------- exports


def export_header(scope: dict[str, Any], digest: Digest | None, complete: bool) -> str:
    header = {
        "format": EXPORT_FORMAT,
        "scope": scope,
        "complete": complete,
        "digest": {"position": digest.position, "link": digest.link} if digest else None,
    }
    return _canonical(header)


def export_line(record: StoredRecord, previous: str, link: str) -> str:
    return _canonical(
        {
            "position": record.position,
            "originator_id": record.originator_id,
            "originator_version": record.originator_version,
            "topic": record.topic,
            "state": base64.b64encode(record.state).decode("ascii"),
            "previous_link": previous,
            "link": link,
        }
    )


def _canonical(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


HEADER_KEYS = {"format", "scope", "complete", "digest"}
LINE_KEYS = {
    "position",
    "originator_id",
    "originator_version",
    "topic",
    "state",
    "previous_link",
    "link",
}


def export_footer(lines: Iterable[str]) -> str:
    """The last line: a SHA-256 of every line before it, so no byte can change unnoticed."""
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode())
        digest.update(b"\n")
    return _canonical({"sha256": digest.hexdigest()})


def with_footer(lines: Iterable[str]) -> Iterator[str]:
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode())
        digest.update(b"\n")
        yield line
    yield _canonical({"sha256": digest.hexdigest()})


def verify_export(lines: Iterable[str]) -> Verification:
    """Verify an export offline: the footer's checksum, every line canonical, every link
    recomputes, and for a complete export, every link follows the one before and the last
    equals the digest."""
    all_lines = [line.rstrip("\n") for line in lines]
    if len(all_lines) < 2:
        return _failed(0, None, Mismatch(0, "malformed", "the export is truncated"))
    *body, footer = all_lines
    if export_footer(body) != footer:
        return _failed(
            0, None, Mismatch(0, "changed", "the export's checksum does not match its lines")
        )
    iterator = iter(body)
    try:
        header_line = next(iterator)
        header = json.loads(header_line)
    except (StopIteration, ValueError):
        return _failed(0, None, Mismatch(0, "malformed", "the export has no valid header line"))
    if (
        not isinstance(header, dict)
        or set(header) != HEADER_KEYS
        or _canonical(header) != header_line
        or header["format"] != EXPORT_FORMAT
    ):
        return _failed(0, None, Mismatch(0, "malformed", "the header line was altered"))
    complete = bool(header.get("complete"))
    digest = header.get("digest")
    checked = 0
    head: Digest | None = None
    previous_link: str | None = GENESIS if complete else None
    for number, line in enumerate(iterator, start=2):
        try:
            entry = json.loads(line)
            if set(entry) != LINE_KEYS:
                raise KeyError("unexpected keys")
            record = StoredRecord(
                position=int(entry["position"]),
                originator_id=str(entry["originator_id"]),
                originator_version=int(entry["originator_version"]),
                topic=str(entry["topic"]),
                state=base64.b64decode(entry["state"], validate=True),
            )
            claimed_previous = str(entry["previous_link"])
            claimed_link = str(entry["link"])
        except (ValueError, KeyError, TypeError):
            return _failed(
                checked, head, Mismatch(-number, "malformed", f"line {number} cannot be read")
            )
        if _canonical(entry) != line:
            return _failed(
                checked, head, Mismatch(record.position, "changed", f"line {number} was altered")
            )
        if previous_link is not None and claimed_previous != previous_link:
            return _failed(
                checked,
                head,
                Mismatch(record.position, "deleted", "a record before this one is missing"),
            )
        if link_hash(claimed_previous, record) != claimed_link:
            return _failed(
                checked,
                head,
                Mismatch(record.position, "changed", "the record does not match its link"),
            )
        if complete:
            previous_link = claimed_link
        head = Digest(record.position, claimed_link)
        checked += 1
    if (
        complete
        and digest is not None
        and (head is None or head.position != digest["position"] or head.link != digest["link"])
    ):
        return _failed(
            checked,
            head,
            Mismatch(int(digest["position"]), "digest-mismatch", "the export ends elsewhere"),
        )
    return Verification(True, checked, head, 0, None)
