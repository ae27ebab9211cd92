"""The division's export-signing key: Ed25519 (the `cryptography` package).

The private key is a secret like the others: the line `HALLWATCH_EXPORT_KEY=<base64 of the 32-byte
raw key>` in the credentials file (`$CREDENTIALS_DIRECTORY/credentials.env` under systemd, else
`division.credentials_file`), or the environment variable of that name; never division.yaml.
`hallwatch export key` makes one. The public key goes into every manifest and can be handed to
whoever must check an export (`hallwatch export verify DIR --public-key FILE`).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from monitor.config import Division
from monitor.errors import HallwatchError

KEY_NAME = "HALLWATCH_EXPORT_KEY"
ALGORITHM = "Ed25519"


class SigningError(HallwatchError):
    """The signing key is missing or malformed; the message says where it was looked for."""


def new_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def encode_private(key: Ed25519PrivateKey) -> str:
    return base64.b64encode(key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())).decode("ascii")


def encode_public(key: Ed25519PublicKey) -> str:
    return base64.b64encode(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode("ascii")


def fingerprint(public_b64: str) -> str:
    """A short name for a public key (the first 16 hex digits of its SHA-256), for messages."""
    return hashlib.sha256(public_b64.encode("ascii")).hexdigest()[:16]


def _raw_key(value: str, where: str, what: str, hint: str) -> bytes:
    """The 32 raw bytes of a base64 Ed25519 key; SigningError naming `where` and `what` otherwise."""
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise SigningError(f"{where}: {what} is not base64") from None
    if len(raw) != 32:
        raise SigningError(f"{where}: {what} must be 32 bytes ({hint})")
    return raw


def decode_private(value: str, where: str) -> Ed25519PrivateKey:
    hint = "base64 of a raw Ed25519 key; make one with `hallwatch export key`"
    return Ed25519PrivateKey.from_private_bytes(_raw_key(value, where, KEY_NAME, hint))


def decode_public(value: str, where: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(_raw_key(value, where, "the public key", "base64 of a raw Ed25519 public key"))


def division_key(division: Division) -> Ed25519PrivateKey:
    """The signing key from the credentials file, else the environment; SigningError naming both when absent."""
    path = division.credentials_file()
    value = division.secret(f"file:{KEY_NAME}")
    where = str(path) if path else "the credentials file"
    if not value:
        value = os.environ.get(KEY_NAME)
        where = f"${KEY_NAME}"
    if not value:
        raise SigningError(
            f"{KEY_NAME} is not set: make a key with `hallwatch export key --credentials-file FILE` "
            f"and keep it in the credentials file ({path or 'division.credentials_file is not set'}) or the environment"
        )
    return decode_private(value, where)


def read_public_key_file(path: Path) -> Ed25519PublicKey:
    try:
        content = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise SigningError(f"{path}: cannot read the public key ({type(exc).__name__})") from None
    return decode_public(content, str(path))


def sign(key: Ed25519PrivateKey, data: bytes) -> str:
    return base64.b64encode(key.sign(data)).decode("ascii")


def signature_valid(public: Ed25519PublicKey, data: bytes, signature_b64: str) -> bool:
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        public.verify(signature, data)
    except (binascii.Error, ValueError, InvalidSignature):
        return False
    return True


def write_key(credentials_file: Path, public_key_file: Path | None) -> Ed25519PrivateKey:
    """Append a new key to the credentials file (created 0600); refuse when it holds one already."""
    from monitor.config import read_credentials_file

    # an empty `HALLWATCH_EXPORT_KEY=` (as in credentials.env.example) is no key; the line added last wins
    if credentials_file.exists() and read_credentials_file(credentials_file).get(KEY_NAME):
        raise SigningError(f"{credentials_file}: holds a {KEY_NAME} already; a new key would make earlier exports' key unknown here (remove the line yourself to replace it)")
    key = new_private_key()
    credentials_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(credentials_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="ascii") as out:
        if credentials_file.stat().st_size and not credentials_file.read_bytes().endswith(b"\n"):
            out.write("\n")
        out.write(f"{KEY_NAME}={encode_private(key)}\n")
    if public_key_file is not None:
        public_key_file.write_text(encode_public(key.public_key()) + "\n", encoding="ascii")
    return key
