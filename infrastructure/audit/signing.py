"""Ed25519 signatures over tree heads, through ``cryptography``.

The deployment signs each tree head with a private key kept outside the database (a PEM file,
PKCS#8, mode 0600); auditors verify with the public key (a PEM file, SubjectPublicKeyInfo, or the
raw 32-byte key in base64), offline. A key id, the first 16 bytes of SHA-256 over the raw public
key in hex, travels with each signature so a head signed by another key is named as such rather
than as a damaged signature. Ed25519 signatures are deterministic (RFC 8032): signing the same
head twice gives the same bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from application.audit.merkle_log import MANIFEST_PREFIX
from domain.audit.tree_head import SignedTreeHead, TreeHead

PUBLIC_KEY_SIZE = 32
KEY_ID_BYTES = 16


class SigningError(Exception):
    """Base of the signing errors; ``reason`` is a stable kebab-case code."""

    reason = "signing"


class KeyFormatError(SigningError):
    """A key file or text is not an Ed25519 key in a format read here."""

    reason = "key-format"


class WrongKeyError(SigningError):
    """The head says it was signed by another key than the one verifying it."""

    reason = "wrong-key"


class BadSignatureError(SigningError):
    """The signature does not cover this head with this key (altered head or signature)."""

    reason = "bad-signature"


def generate_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def raw_public_key(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key, first 16 bytes, lowercase hex (32 characters)."""
    return hashlib.sha256(raw_public_key(public_key)).digest()[:KEY_ID_BYTES].hex()


def public_key_base64(public_key: Ed25519PublicKey) -> str:
    """The raw 32-byte public key in standard base64 (what ``GET /audit/public-key`` may give)."""
    return base64.b64encode(raw_public_key(public_key)).decode("ascii")


def public_key_pem(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def private_key_pem(private_key: Ed25519PrivateKey, password: bytes | None = None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def write_private_key(
    private_key: Ed25519PrivateKey,
    path: Path,
    *,
    password: bytes | None = None,
    overwrite: bool = False,
) -> None:
    """Write the private key as PKCS#8 PEM, readable and writable by its owner only (0600).

    The file is created with mode 0600 (never briefly wider), and an existing file is refused
    unless ``overwrite``: losing a signing key silently would orphan every head it signed.
    """
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_EXCL)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError as exc:
        raise FileExistsError(f"{path} exists; refusing to overwrite a private key") from exc
    try:
        os.fchmod(fd, 0o600)  # An overwritten file keeps its old mode otherwise.
        os.write(fd, private_key_pem(private_key, password))
    finally:
        os.close(fd)


def write_public_key(public_key: Ed25519PublicKey, path: Path) -> None:
    """Write the public key as SubjectPublicKeyInfo PEM (for auditors: not secret)."""
    path.write_bytes(public_key_pem(public_key))


def load_private_key(path: Path, password: bytes | None = None) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=password)
    except (ValueError, TypeError) as exc:
        raise KeyFormatError(f"{path} is not a readable PEM private key: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFormatError(f"{path} holds a {type(key).__name__}, not an Ed25519 key")
    return key


def load_public_key(text: str | bytes) -> Ed25519PublicKey:
    """A public key from PEM (SubjectPublicKeyInfo) or from the raw 32 bytes in base64."""
    data = text.encode("ascii", "replace") if isinstance(text, str) else text
    data = data.strip()
    if data.startswith(b"-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(data)
        except (ValueError, TypeError) as exc:
            raise KeyFormatError(f"not a readable PEM public key: {exc}") from exc
        if not isinstance(key, Ed25519PublicKey):
            raise KeyFormatError(f"a {type(key).__name__}, not an Ed25519 public key")
        return key
    try:
        raw = base64.b64decode(data, validate=True)
    except binascii.Error as exc:
        raise KeyFormatError(f"neither PEM nor base64: {exc}") from exc
    if len(raw) != PUBLIC_KEY_SIZE:
        raise KeyFormatError(f"a raw Ed25519 public key is 32 bytes, got {len(raw)}")
    return Ed25519PublicKey.from_public_bytes(raw)


def load_public_key_file(path: Path) -> Ed25519PublicKey:
    return load_public_key(path.read_bytes())


class TreeHeadSigner:
    """Signs tree heads with the deployment's private key."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private_key = private_key
        self.public_key = private_key.public_key()
        self.key_id = key_id(self.public_key)

    def sign(self, head: TreeHead) -> SignedTreeHead:
        return SignedTreeHead(head, self._private_key.sign(head.signed_bytes()), self.key_id)

    def sign_manifest(self, data: bytes) -> bytes:
        """Sign an export's manifest; its own first line keeps it apart from tree heads."""
        if not data.startswith(MANIFEST_PREFIX):
            raise SigningError("an export manifest starts with its own prefix line")
        return self._private_key.sign(data)

    def public_key_pem(self) -> str:
        return public_key_pem(self.public_key).decode("ascii")


def load_signer(path: Path) -> TreeHeadSigner:
    return TreeHeadSigner(load_private_key(path))


class TreeHeadVerifier:
    """Checks signed tree heads against one public key (the auditor's copy)."""

    def __init__(self, public_key: Ed25519PublicKey) -> None:
        self.public_key = public_key
        self.key_id = key_id(public_key)

    def verify(self, signed: SignedTreeHead) -> None:
        """Raise :class:`WrongKeyError` or :class:`BadSignatureError` unless ``signed`` holds.

        The key id is compared first only to name the failure; the signature check alone
        decides validity: a head relabelled with this key's id still fails, as bad-signature.
        """
        if signed.key_id != self.key_id:
            raise WrongKeyError(
                f"the head was signed by key {signed.key_id}, not by key {self.key_id}"
            )
        try:
            self.public_key.verify(signed.signature, signed.head.signed_bytes())
        except InvalidSignature as exc:
            raise BadSignatureError(
                f"the signature does not cover tree head {signed.head.tree_size}"
                f" ({signed.head.root_hash.hex()}) under key {self.key_id}"
            ) from exc

    def verify_manifest(self, data: bytes, signature: bytes, signer_key_id: str) -> None:
        """Raise unless ``signature`` covers an export manifest ``data`` under this key."""
        if signer_key_id != self.key_id:
            raise WrongKeyError(
                f"the manifest was signed by key {signer_key_id}, not by key {self.key_id}"
            )
        if not data.startswith(MANIFEST_PREFIX):
            raise BadSignatureError("not an export manifest")
        try:
            self.public_key.verify(signature, data)
        except InvalidSignature as exc:
            raise BadSignatureError("the manifest's signature does not hold") from exc
