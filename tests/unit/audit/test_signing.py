"""Ed25519 signatures over tree heads: what verifies, what is refused, and how keys are kept."""

from __future__ import annotations

import base64
import os
import stat
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.audit.merkle import Frontier, leaf_hash
from domain.audit.tree_head import SignedTreeHead, TreeHead
from infrastructure.audit.signing import (
    BadSignatureError,
    KeyFormatError,
    TreeHeadSigner,
    TreeHeadVerifier,
    WrongKeyError,
    generate_private_key,
    key_id,
    load_private_key,
    load_public_key,
    load_public_key_file,
    public_key_base64,
    public_key_pem,
    write_private_key,
    write_public_key,
)

# RFC 8032 §7.1, test 1: a fixed key, so the key id below is a known answer.
RFC8032_SECRET = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC8032_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")


def a_head(size: int = 100) -> TreeHead:
    frontier, _ = Frontier.empty().extend(leaf_hash(str(i).encode()) for i in range(size))
    return TreeHead(size, frontier.root(), datetime(2024, 5, 1, 9, 30, tzinfo=UTC))


@pytest.fixture
def signer() -> TreeHeadSigner:
    return TreeHeadSigner(generate_private_key())


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def test_a_signed_head_verifies_with_the_signers_public_key(signer: TreeHeadSigner) -> None:
    signed = signer.sign(a_head())

    TreeHeadVerifier(signer.public_key).verify(signed)
    assert signed.key_id == key_id(signer.public_key)


def test_a_signed_head_survives_its_json_form(signer: TreeHeadSigner) -> None:
    signed = signer.sign(a_head())
    TreeHeadVerifier(signer.public_key).verify(SignedTreeHead.from_dict(signed.to_dict()))


def test_a_head_signed_by_another_key_is_refused(signer: TreeHeadSigner) -> None:
    other = TreeHeadSigner(generate_private_key())
    signed = other.sign(a_head())

    with pytest.raises(WrongKeyError, match=other.key_id):
        TreeHeadVerifier(signer.public_key).verify(signed)
    # Relabelled with our key id, it is still refused: the signature decides, not the label.
    with pytest.raises(BadSignatureError):
        TreeHeadVerifier(signer.public_key).verify(replace(signed, key_id=signer.key_id))


@pytest.mark.parametrize(
    "alter",
    [
        lambda h: replace(h, tree_size=h.tree_size ^ 1),
        lambda h: replace(h, root_hash=bytes([h.root_hash[0] ^ 1]) + h.root_hash[1:]),
        lambda h: replace(h, root_hash=h.root_hash[:-1] + bytes([h.root_hash[-1] ^ 0x80])),
        lambda h: replace(h, timestamp=h.timestamp + timedelta(microseconds=1)),
    ],
    ids=["size", "root first bit", "root last bit", "timestamp"],
)
def test_a_one_bit_change_in_the_head_is_refused(signer: TreeHeadSigner, alter: object) -> None:
    signed = signer.sign(a_head())
    forged = replace(signed, head=alter(signed.head))  # type: ignore[operator]

    with pytest.raises(BadSignatureError):
        TreeHeadVerifier(signer.public_key).verify(forged)


def test_a_one_bit_change_in_the_signature_is_refused(signer: TreeHeadSigner) -> None:
    signed = signer.sign(a_head())
    for position in (0, 31, 32, 63):
        damaged = bytearray(signed.signature)
        damaged[position] ^= 1
        with pytest.raises(BadSignatureError):
            TreeHeadVerifier(signer.public_key).verify(replace(signed, signature=bytes(damaged)))


def test_the_key_id_is_the_start_of_the_sha256_of_the_raw_public_key() -> None:
    private = Ed25519PrivateKey.from_private_bytes(RFC8032_SECRET)
    public = private.public_key()

    assert public_key_base64(public) == base64.b64encode(RFC8032_PUBLIC).decode()
    assert key_id(public) == "21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9"[:32]


def test_keys_round_trip_through_pem_files(tmp_path: Path, signer: TreeHeadSigner) -> None:
    private = generate_private_key()
    write_private_key(private, tmp_path / "head.key")
    write_public_key(private.public_key(), tmp_path / "head.pub")

    loaded = load_private_key(tmp_path / "head.key")
    signed = TreeHeadSigner(loaded).sign(a_head())
    TreeHeadVerifier(load_public_key_file(tmp_path / "head.pub")).verify(signed)
    assert (tmp_path / "head.pub").read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")
    # The same public key, given as PEM text or as raw base64, names the same key.
    as_text = load_public_key(public_key_pem(private.public_key()).decode())
    as_base64 = load_public_key(public_key_base64(private.public_key()))
    assert key_id(as_text) == key_id(as_base64) == key_id(private.public_key())
    TreeHeadVerifier(as_base64).verify(signed)


def test_an_encrypted_private_key_needs_its_password(tmp_path: Path) -> None:
    private = generate_private_key()
    write_private_key(private, tmp_path / "head.key", password=b"correct horse")

    assert b"ENCRYPTED" in (tmp_path / "head.key").read_bytes()
    assert key_id(load_private_key(tmp_path / "head.key", b"correct horse").public_key()) == (
        key_id(private.public_key())
    )
    with pytest.raises(KeyFormatError):
        load_private_key(tmp_path / "head.key")
    with pytest.raises(KeyFormatError):
        load_private_key(tmp_path / "head.key", b"wrong")


@pytest.mark.usefixtures("permissive_umask")
def test_the_private_key_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "head.key"
    write_private_key(generate_private_key(), path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.usefixtures("permissive_umask")
def test_an_existing_key_file_is_not_overwritten_unless_asked(tmp_path: Path) -> None:
    path = tmp_path / "head.key"
    first = generate_private_key()
    write_private_key(first, path)

    with pytest.raises(FileExistsError, match="refusing to overwrite"):
        write_private_key(generate_private_key(), path)
    assert key_id(load_private_key(path).public_key()) == key_id(first.public_key())

    path.chmod(0o644)
    second = generate_private_key()
    write_private_key(second, path, overwrite=True)
    assert key_id(load_private_key(path).public_key()) == key_id(second.public_key())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_key_of_another_kind_is_refused(tmp_path: Path) -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    pem = ec_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    (tmp_path / "ec.key").write_bytes(pem)
    public_pem = ec_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )

    with pytest.raises(KeyFormatError, match="not an Ed25519"):
        load_private_key(tmp_path / "ec.key")
    with pytest.raises(KeyFormatError, match="not an Ed25519"):
        load_public_key(public_pem)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not a key at all", "neither PEM nor base64"),
        (base64.b64encode(b"\x01" * 31).decode(), "32 bytes, got 31"),
        ("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "not a readable PEM"),
    ],
)
def test_an_unreadable_public_key_is_refused(text: str, message: str) -> None:
    with pytest.raises(KeyFormatError, match=message):
        load_public_key(text)


def test_a_private_key_file_that_is_not_a_key_is_refused(tmp_path: Path) -> None:
    (tmp_path / "head.key").write_text("hello")
    with pytest.raises(KeyFormatError, match="not a readable PEM private key"):
        load_private_key(tmp_path / "head.key")
