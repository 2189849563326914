"""The Merkle log over the stored records: what a leaf hashes, and the lab export with proofs.

A leaf is one stored record, hashed as stored (RFC 9162 leaf hashing, ``domain.audit.merkle``)::

    partnerlab-leaf-v1 LF position LF originator id (canonical UUID) LF version LF topic LF state

The originator id is the UUID the event store reads back whatever its column type (a dashed
UUID on PostgreSQL, hex digits on SQLite, text under ``ORIGINATOR_ID_TYPE=text``), so the leaf
does not depend on how the id is spelt in the row.

A lab export (format 2, JSON Lines) carries a *signed tree head*, a *signed manifest* (the
scope and the leaf indices of every record in it, in order) and, per record, its leaf index
and an inclusion proof against the head. Checked offline (:func:`verify_proof_export`), it
proves, with the deployment's public key only: each record is in the log the deployment signed
(inclusion), no record of the scope was removed, added, moved or taken from another export
(the manifest), and, given a head kept from an earlier audit and the export's consistency
proof from it, that the log then is a prefix of the log now (consistency).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from application.audit.chain import StoredRecord
from domain.audit.merkle import (
    ConsistencyProofError,
    InclusionProofError,
    check_consistency,
    check_inclusion,
    leaf_hash,
)
from domain.audit.tree_head import SignedTreeHead, TreeHead, TreeHeadFormatError

LEAF_PREFIX = b"partnerlab-leaf-v1\n"
PROOF_EXPORT_FORMAT = "partnerlab-audit-export/2"
MANIFEST_PREFIX = b"partnerlab-export-manifest-v1\n"


def leaf_bytes(record: StoredRecord) -> bytes:
    return (
        LEAF_PREFIX
        + (
            f"{record.position}\n{record.originator_id}\n{record.originator_version}\n"
            f"{record.topic}\n"
        ).encode()
        + record.state
    )


def record_leaf(record: StoredRecord) -> bytes:
    """The RFC 9162 leaf hash of one stored record."""
    return leaf_hash(leaf_bytes(record))


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


# ---------------------------------------------------------------------- export lines


def manifest_bytes(header: dict[str, Any]) -> bytes:
    """What the manifest signature covers: the header without the signature itself."""
    body = {k: v for k, v in header.items() if k != "manifest_signature"}
    return MANIFEST_PREFIX + canonical(body).encode()


def proof_export_header(
    scope: dict[str, Any],
    head: dict[str, Any],
    leaves: list[int],
    consistency: dict[str, Any] | None,
) -> dict[str, Any]:
    return {
        "format": PROOF_EXPORT_FORMAT,
        "scope": scope,
        "head": head,
        "leaves": leaves,
        "consistency": consistency,
    }


def proof_export_line(record: StoredRecord, leaf_index: int, proof: list[bytes]) -> str:
    return canonical(
        {
            "leaf_index": leaf_index,
            "position": record.position,
            "originator_id": record.originator_id,
            "originator_version": record.originator_version,
            "topic": record.topic,
            "state": base64.b64encode(record.state).decode("ascii"),
            "inclusion": [h.hex() for h in proof],
        }
    )


# ---------------------------------------------------------------------- offline verification


@dataclass(frozen=True)
class ProofFailure:
    """Why an export is refused: ``reason`` is a stable code, ``line`` the 1-based line."""

    reason: str
    detail: str
    line: int
    position: int | None = None
    leaf_index: int | None = None


@dataclass(frozen=True)
class ProofVerification:
    ok: bool
    checked: int
    head: SignedTreeHead | None
    failure: ProofFailure | None


HeadCheck = Callable[[SignedTreeHead], None]
"""Raises (an exception with ``reason``) unless the head's signature holds under the key."""
ManifestCheck = Callable[[bytes, bytes, str], None]
"""``check(data, signature, key_id)``: raises (with ``reason``) unless the signature holds."""

_LINE_KEYS = {
    "leaf_index",
    "position",
    "originator_id",
    "originator_version",
    "topic",
    "state",
    "inclusion",
}
_HEADER_KEYS = {"format", "scope", "head", "leaves", "consistency", "manifest_signature"}


def is_proof_export(first_line: str) -> bool:
    try:
        header = json.loads(first_line)
    except ValueError:
        return False
    return isinstance(header, dict) and header.get("format") == PROOF_EXPORT_FORMAT


def _hashes(values: Any) -> list[bytes]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError("not a list of hex strings")
    return [bytes.fromhex(v) for v in values]


def verify_proof_export(  # noqa: PLR0915 - one check after another, each naming its failure
    lines: Iterable[str],
    check_head: HeadCheck,
    check_manifest: ManifestCheck,
    previous: SignedTreeHead | None = None,
) -> ProofVerification:
    """Check a format-2 export offline and name the first thing that fails, and why.

    In order: the header (canonical, format 2); the head's signature (``check_head``); the
    manifest's signature over the scope, head and leaf list (``check_manifest``); with
    ``previous`` (a head kept from an earlier audit, itself signature-checked), the export's
    consistency proof from it; then each record: canonical, listed in the manifest at its
    place, and included in the signed tree at its leaf index.
    """
    iterator = iter(line.rstrip("\n") for line in lines)

    def fail(
        reason: str,
        detail: str,
        line: int,
        checked: int,
        head: SignedTreeHead | None,
        position: int | None = None,
        leaf_index: int | None = None,
    ) -> ProofVerification:
        return ProofVerification(
            False, checked, head, ProofFailure(reason, detail, line, position, leaf_index)
        )

    header_line = next(iterator, None)
    if header_line is None:
        return fail("malformed", "the export is empty", 1, 0, None)
    try:
        header = json.loads(header_line)
    except ValueError:
        return fail("malformed", "the header line is not JSON", 1, 0, None)
    if (
        not isinstance(header, dict)
        or set(header) != _HEADER_KEYS
        or header.get("format") != PROOF_EXPORT_FORMAT
    ):
        return fail("malformed", "the header is not a format-2 export header", 1, 0, None)
    if canonical(header) != header_line:
        return fail("changed", "the header line was altered (not canonical)", 1, 0, None)
    head_data = header["head"]
    if not isinstance(head_data, dict) or head_data.get("signature") is None:
        return fail(
            "unsigned-head",
            "the export's tree head is not signed (no signing key was configured)",
            1,
            0,
            None,
        )
    try:
        signed = SignedTreeHead.from_dict(head_data)
    except TreeHeadFormatError as error:
        return fail("malformed", f"the tree head is malformed: {error}", 1, 0, None)
    try:
        check_head(signed)
    except Exception as error:  # the checker's errors carry a reason
        return fail(str(getattr(error, "reason", "bad-signature")), str(error), 1, 0, signed)
    try:
        manifest_signature = base64.b64decode(str(header["manifest_signature"]), validate=True)
        check_manifest(manifest_bytes(header), manifest_signature, signed.key_id)
    except (binascii.Error, ValueError) as error:
        return fail("malformed", f"the manifest signature is not base64: {error}", 1, 0, signed)
    except Exception as error:
        reason = str(getattr(error, "reason", "bad-signature"))
        return fail(
            f"manifest-{reason}",
            f"the manifest (scope, head and list of records) is not as signed: {error}",
            1,
            0,
            signed,
        )
    tree = signed.head
    failure = _check_previous(header, previous, tree, check_head)
    if failure is not None:
        return fail(failure[0], failure[1], 1, 0, signed)
    leaves = header["leaves"]
    if not isinstance(leaves, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in leaves
    ):
        return fail("malformed", "the manifest's leaf list is not a list of integers", 1, 0, signed)
    checked = 0
    for number, line in enumerate(iterator, start=2):
        try:
            entry = json.loads(line)
            if not isinstance(entry, dict) or set(entry) != _LINE_KEYS:
                raise ValueError("unexpected keys")
            leaf_index = entry["leaf_index"]
            if not isinstance(leaf_index, int) or isinstance(leaf_index, bool):
                raise ValueError("leaf_index")
            record = StoredRecord(
                position=int(entry["position"]),
                originator_id=str(entry["originator_id"]),
                originator_version=int(entry["originator_version"]),
                topic=str(entry["topic"]),
                state=base64.b64decode(entry["state"], validate=True),
            )
            proof = _hashes(entry["inclusion"])
        except (ValueError, KeyError, TypeError, binascii.Error):
            return fail("malformed", f"line {number} cannot be read", number, checked, signed)
        if canonical(entry) != line:
            return fail(
                "changed",
                f"line {number} was altered (not canonical)",
                number,
                checked,
                signed,
                record.position,
                leaf_index,
            )
        if checked >= len(leaves):
            return fail(
                "not-listed",
                f"the record at position {record.position} (leaf {leaf_index}) is not in the"
                " signed manifest: it was added, or taken from another export",
                number,
                checked,
                signed,
                record.position,
                leaf_index,
            )
        expected = leaves[checked]
        if leaf_index != expected:
            if leaf_index in leaves[checked + 1 :]:
                reason, detail = (
                    "missing",
                    f"the record at leaf {expected}, listed in the signed manifest before"
                    f" leaf {leaf_index}, is missing",
                )
            elif leaf_index in leaves[:checked]:
                reason, detail = (
                    "reordered",
                    f"leaf {leaf_index} appears out of the signed manifest's order",
                )
            else:
                reason, detail = (
                    "not-listed",
                    f"the record at position {record.position} (leaf {leaf_index}) is not in"
                    " the signed manifest: it was added, or taken from another export",
                )
            return fail(reason, detail, number, checked, signed, record.position, leaf_index)
        try:
            check_inclusion(record_leaf(record), leaf_index, tree.tree_size, proof, tree.root_hash)
        except InclusionProofError as error:
            return fail(
                f"inclusion-{error.reason}",
                f"the record at position {record.position} is not in the signed tree of"
                f" {tree.tree_size} records at leaf {leaf_index}: it was changed or moved"
                f" ({error.message})",
                number,
                checked,
                signed,
                record.position,
                leaf_index,
            )
        checked += 1
    if checked < len(leaves):
        return fail(
            "missing",
            f"the record at leaf {leaves[checked]}, listed in the signed manifest, is missing"
            " (the export was cut short)",
            checked + 2,
            checked,
            signed,
            None,
            leaves[checked],
        )
    return ProofVerification(True, checked, signed, None)


def _check_previous(
    header: dict[str, Any],
    previous: SignedTreeHead | None,
    tree: TreeHead,
    check_head: HeadCheck,
) -> tuple[str, str] | None:
    if previous is None:
        return None
    try:
        check_head(previous)
    except Exception as error:
        reason = str(getattr(error, "reason", "bad-signature"))
        return f"previous-head-{reason}", f"the head kept from the earlier audit: {error}"
    consistency = header["consistency"]
    old = previous.head
    if old.tree_size > tree.tree_size:
        return (
            "consistency-sizes-out-of-order",
            f"the kept head covers {old.tree_size} records, this export's head only"
            f" {tree.tree_size}: the log shrank",
        )
    if not isinstance(consistency, dict) or consistency.get("from_size") != old.tree_size:
        return (
            "no-consistency-proof",
            f"the export carries no consistency proof from tree size {old.tree_size};"
            f" export it again with from_size={old.tree_size}",
        )
    try:
        proof = _hashes(consistency.get("proof"))
    except ValueError:
        return "malformed", "the consistency proof is not a list of hex hashes"
    try:
        check_consistency(old.tree_size, tree.tree_size, old.root_hash, tree.root_hash, proof)
    except ConsistencyProofError as error:
        return (
            f"consistency-{error.reason}",
            f"the log signed at {old.tree_size} records is not a prefix of the log signed at"
            f" {tree.tree_size}: history was rewritten ({error.message})",
        )
    return None
