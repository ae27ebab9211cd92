"""The signed records export: `hallwatch export` and the web page's zip.

One account's items (optionally a date range of their posting times, in the division's time zone,
or a single item), each with its versions (and the stored photos each showed, copied under
images/), findings, review and audit rows, written as JSON lines,
CSV or a PDF a records officer can read, plus `manifest.json`: every file's SHA-256 and size, the
parameters, who and when, the audit log's newest row at the time, and an Ed25519 signature over
the manifest (monitor.records.signing). `verify_export` checks all of it.

Writing is atomic: the files are written in a hidden sibling folder, the export is audited (its
parameters and the manifest's hash), and only then is the folder renamed to the name asked for;
a folder that exists and is not empty is refused, and a failure leaves no partial folder behind.

Only ITS admins and the Communications Manager may export (`require_exporter`); the export holds
student data by design (it is the record), so it is written where the operator says and nowhere
else, and no message or log line repeats its contents.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from monitor.config import Division
from monitor.db import Database
from monitor.errors import HallwatchError
from monitor.media.archive import version_photos
from monitor.models import Account, AuditEntry, Finding, ReviewItem, StoredItem, StoredMedia
from monitor.notify import local_zone
from monitor.records import signing
from monitor.records.audit_chain import last_link
from monitor.records.versions import versions_of

FORMATS = ("pdf", "jsonl", "csv")
EXPORT_ROLES = ("its_admin", "communications_manager")
MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
BATCH = 200
# a manifest is a few hundred bytes per file; anything this large is not one of ours
MANIFEST_LIMIT = 64 * 1024 * 1024


class ExportError(HallwatchError):
    """The export cannot be made as asked; the message names the option or the folder."""


class ExportRefused(ExportError):
    """The acting user may not export records."""


@dataclass(frozen=True)
class ExportRequest:
    account: str
    fmt: str
    date_from: date | None = None
    date_to: date | None = None
    item_id: int | None = None

    def parameters(self) -> dict[str, Any]:
        return {
            "account": self.account, "format": self.fmt, "item": self.item_id,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
        }


@dataclass(frozen=True)
class Exporter:
    """Who exports: an e-mail and a role (a monitor.users.Viewer or a User both fit)."""

    email: str
    role: str


@dataclass
class ExportResult:
    path: Path
    manifest_sha256: str
    items: int
    files: list[str]
    fingerprint: str


def require_exporter(email: str, role: str) -> Exporter:
    if role not in EXPORT_ROLES:
        raise ExportRefused(
            f"{email} is {role.replace('_', ' ')}: only ITS admins and the Communications Manager may export records"
        )
    return Exporter(email, role)


# --- what one item's record holds -------------------------------------------------------------


def iso(value: datetime | None) -> str | None:
    return value.astimezone(timezone.utc).isoformat() if value else None


def local(value: datetime | None, zone: tzinfo) -> str | None:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %Z") if value else None


def _versions(session: Session, item: StoredItem, media_root: Path | None = None) -> list[dict[str, Any]]:
    """The item's versions, oldest first, the current one last (monitor.records.versions), each
    with the names in images/ of the photos it showed (the current one's are the item's `images`)."""
    images = _all_images(session, item, media_root)
    return [{
        "version": v.version, "text": v.text, "media": v.media or [], "seen_at": v.seen_from, "seen_until": v.seen_until,
        "platform_time": v.platform_time, "why": v.why, "current": v.why == "current",
        "images": [name for name, _ in images.get(None if v.why == "current" else v.version, [])],
    } for v in versions_of(session, item.id)]


def _version_rows(session: Session, item: StoredItem, zone: tzinfo, media_root: Path | None = None) -> list[dict[str, Any]]:
    return [{**v, "seen_at": iso(v["seen_at"]), "seen_at_local": local(v["seen_at"], zone), "seen_until": iso(v["seen_until"]),
             "seen_until_local": local(v["seen_until"], zone), "platform_time": iso(v["platform_time"])} for v in _versions(session, item, media_root)]


def _stored_images(session: Session, item: StoredItem, media_root: Path | None) -> list[tuple[str, Path]]:
    """(name in the export, file on disk) of the item's photos fetched at ingest (monitor.media).

    Named `<item id>-<position>.<ext>` so the PDF and the JSON point at them; a photo that was
    never fetched, or whose file is gone (purged), is listed by URL in `media` only."""
    if media_root is None:
        return []
    found = []
    rows = session.scalars(select(StoredMedia).where(StoredMedia.item_id == item.id, StoredMedia.path.is_not(None)).order_by(StoredMedia.position))
    for row in rows:
        source = media_root / str(row.path)
        if source.is_file():
            found.append((f"{item.id}-{row.position}{source.suffix}", source))
    return found


def _all_images(session: Session, item: StoredItem, media_root: Path | None) -> dict[int | None, list[tuple[str, Path]]]:
    """The stored photos of every version: None for the current one (`_stored_images`), else the
    version's number (monitor.media.archive: the photo it showed, kept when an edit replaced it).

    An earlier version's photo is `<item id>-v<version>-<position>.<ext>`, unless the same file is
    in the export already under another name of this item (the same bytes shown twice): then that
    name, so one file is copied once."""
    current = _stored_images(session, item, media_root)
    found: dict[int | None, list[tuple[str, Path]]] = {None: current}
    if media_root is None:
        return found
    named = {source: name for name, source in current}
    for version, photos in sorted(version_photos(session, item.id).items()):
        for position, relative in sorted(photos.items()):
            source = media_root / relative
            if not source.is_file():
                continue  # the row outlived its file (a restore without the data directory)
            name = named.setdefault(source, f"{item.id}-v{version}-{position}{source.suffix}")
            found.setdefault(version, []).append((name, source))
    return found


def _audit_row(entry: AuditEntry, zone: tzinfo) -> dict[str, Any]:
    return {
        "id": entry.id, "at": iso(entry.at), "at_local": local(entry.at, zone), "actor": entry.actor, "action": entry.action,
        "entity_type": entry.entity_type, "entity_id": entry.entity_id, "before": entry.before, "after": entry.after,
        "prev_hash": entry.prev_hash, "row_hash": entry.row_hash,
    }


def _records(session: Session, account: Account, ids: Sequence[int], zone: tzinfo, media_root: Path | None) -> Iterator[dict[str, Any]]:
    for start in range(0, len(ids), BATCH):
        chunk = list(ids[start:start + BATCH])
        items = {i.id: i for i in session.scalars(select(StoredItem).where(StoredItem.id.in_(chunk)))}
        findings: dict[int, list[Finding]] = {i: [] for i in chunk}
        for f in session.scalars(select(Finding).where(Finding.item_id.in_(chunk)).order_by(Finding.id)):
            findings[f.item_id].append(f)
        reviews = {r.item_id: r for r in session.scalars(select(ReviewItem).where(ReviewItem.item_id.in_(chunk)))}
        review_keys = {str(r.id): item_id for item_id, r in reviews.items()}
        audit: dict[int, list[AuditEntry]] = {i: [] for i in chunk}
        rows = session.scalars(select(AuditEntry).where(or_(
            and_(AuditEntry.entity_type == "review_item", AuditEntry.entity_id.in_(list(review_keys) or ["-"])),
            and_(AuditEntry.entity_type == "item", AuditEntry.entity_id.in_([str(i) for i in chunk])),
        )).order_by(AuditEntry.id))
        for entry in rows:
            owner = review_keys.get(entry.entity_id) if entry.entity_type == "review_item" else int(entry.entity_id)
            if owner in audit:
                audit[owner].append(entry)
        for item_id in chunk:
            item = items[item_id]
            review = reviews.get(item_id)
            yield {
                "item": {
                    "id": item.id, "account": account.name, "platform": item.platform, "platform_id": item.platform_id,
                    "kind": item.kind, "parent_platform_id": item.parent_platform_id,
                    "author": {"name": item.author_name, "platform_id": item.author_platform_id, "is_account": item.author_is_account},
                    "created_at": iso(item.created_at), "created_at_local": local(item.created_at, zone),
                    "first_seen_at": iso(item.first_seen_at), "first_seen_at_local": local(item.first_seen_at, zone),
                    "classified_at": iso(item.classified_at), "permalink": item.permalink, "consent_tag": item.consent_tag,
                    "deleted_at": iso(item.deleted_at), "deleted_at_local": local(item.deleted_at, zone), "deleted_how": item.deleted_how,
                    "purged_at": iso(item.purged_at),
                },
                "text": item.text,
                "media": item.media or [],
                "raw": item.raw or {},
                "versions": _version_rows(session, item, zone, media_root),
                "images": [name for name, _ in _stored_images(session, item, media_root)],
                "findings": [{
                    "id": f.id, "category": f.category, "severity": f.severity, "score": f.score, "label": f.label,
                    "start": f.start, "end": f.end, "clause": f.clause, "reason": f.reason,
                    "created_at": iso(f.created_at), "created_at_local": local(f.created_at, zone),
                } for f in findings[item_id]],
                "review": None if review is None else {
                    "id": review.id, "state": review.state, "categories": review.category_list, "severity": review.severity,
                    "due_at": iso(review.due_at), "due_at_local": local(review.due_at, zone),
                    "claimed_by": review.claimed_by, "outcome": review.outcome, "note": review.note,
                    "resolved_by": review.resolved_by, "resolved_at": iso(review.resolved_at), "resolved_at_local": local(review.resolved_at, zone),
                    "escalated_at": iso(review.escalated_at),
                },
                "history": [_audit_row(e, zone) for e in audit[item_id]],
            }


def _select_ids(session: Session, division: Division, request: ExportRequest) -> tuple[Account, list[int]]:
    account = session.scalars(select(Account).where(Account.name == request.account)).first()
    if account is None:
        names = ", ".join(a.name for a in division.accounts)
        raise ExportError(f"--account: no account {request.account!r} (the accounts: {names})")
    posted = func.coalesce(StoredItem.created_at, StoredItem.first_seen_at)
    query = select(StoredItem.id).where(StoredItem.account_id == account.id)
    if request.item_id is not None:
        query = query.where(StoredItem.id == request.item_id)
    zone = local_zone(division)
    if request.date_from is not None:
        query = query.where(posted >= datetime.combine(request.date_from, time(0), zone).astimezone(timezone.utc))
    if request.date_to is not None:
        query = query.where(posted < datetime.combine(request.date_to + timedelta(days=1), time(0), zone).astimezone(timezone.utc))
    ids = list(session.scalars(query.order_by(posted, StoredItem.id)))
    if request.item_id is not None and not ids:
        raise ExportError(f"--item: no item {request.item_id} on account {request.account}" + (" in those dates" if request.date_from or request.date_to else ""))
    return account, ids


# --- the three formats ------------------------------------------------------------------------


class Writer(Protocol):
    def add(self, record: dict[str, Any]) -> None: ...
    def close(self) -> None: ...


class JsonlWriter:
    """items.jsonl: one whole record per line."""

    def __init__(self, directory: Path) -> None:
        self.out = (directory / "items.jsonl").open("w", encoding="utf-8", newline="\n")

    def add(self, record: dict[str, Any]) -> None:
        self.out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")

    def close(self) -> None:
        self.out.close()


def _cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run: a text starting with = + - @ (or a tab/CR) gets a quote first."""
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


class CsvWriter:
    """items.csv, versions.csv, findings.csv and history.csv, joined by item_id."""

    TABLES = {
        "items": ["item_id", "account", "platform", "platform_id", "kind", "parent_platform_id", "author_name", "author_platform_id",
                  "author_is_account", "created_at", "created_at_local", "first_seen_at", "permalink", "text", "media",
                  "review_id", "review_state", "outcome", "resolved_by", "resolved_at_local", "note"],
        "versions": ["item_id", "version", "seen_at", "seen_at_local", "text", "media", "images"],
        "findings": ["item_id", "finding_id", "category", "severity", "score", "label", "start", "end", "clause", "reason", "created_at"],
        "history": ["item_id", "audit_id", "at", "at_local", "actor", "action", "entity_type", "entity_id", "before", "after", "prev_hash", "row_hash"],
    }

    def __init__(self, directory: Path) -> None:
        self.files = {name: (directory / f"{name}.csv").open("w", encoding="utf-8", newline="") for name in self.TABLES}
        self.writers = {name: csv.writer(f) for name, f in self.files.items()}
        for name, columns in self.TABLES.items():
            self.writers[name].writerow(columns)

    def _row(self, table: str, values: dict[str, Any]) -> None:
        self.writers[table].writerow([_cell(values.get(c)) for c in self.TABLES[table]])

    def add(self, record: dict[str, Any]) -> None:
        item, review = record["item"], record["review"] or {}
        self._row("items", {
            **{k: item[k] for k in ("account", "platform", "platform_id", "kind", "parent_platform_id", "created_at", "created_at_local", "first_seen_at", "permalink")},
            "item_id": item["id"], "author_name": item["author"]["name"], "author_platform_id": item["author"]["platform_id"],
            "author_is_account": item["author"]["is_account"], "text": record["text"], "media": record["media"],
            "review_id": review.get("id"), "review_state": review.get("state"), "outcome": review.get("outcome"),
            "resolved_by": review.get("resolved_by"), "resolved_at_local": review.get("resolved_at_local"), "note": review.get("note"),
        })
        for v in record["versions"]:
            self._row("versions", {"item_id": item["id"], **v})
        for f in record["findings"]:
            self._row("findings", {"item_id": item["id"], "finding_id": f["id"], **f})
        for h in record["history"]:
            self._row("history", {"item_id": item["id"], "audit_id": h["id"], **h})

    def close(self) -> None:
        for f in self.files.values():
            f.close()


def _writer(fmt: str, directory: Path, header: dict[str, Any]) -> Writer:
    if fmt == "jsonl":
        return JsonlWriter(directory)
    if fmt == "csv":
        return CsvWriter(directory)
    from monitor.records.pdf import PdfWriter

    # the PDF for people, and beside it the complete record for machines (the PDF cuts giant texts)
    return _Both(PdfWriter(directory / "records.pdf", header), JsonlWriter(directory))


class _Both:
    def __init__(self, *writers: Writer) -> None:
        self.writers = writers

    def add(self, record: dict[str, Any]) -> None:
        for w in self.writers:
            w.add(record)

    def close(self) -> None:
        for w in self.writers:
            w.close()


# --- the manifest -----------------------------------------------------------------------------


def signed_bytes(manifest: dict[str, Any]) -> bytes:
    """What the signature covers: the manifest without its `signature`, as sorted-key compact ASCII JSON."""
    body = {k: v for k, v in manifest.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def file_digest(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _files_of(directory: Path) -> list[str]:
    return sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file() or p.is_symlink())


def write_export(session: Session, division: Division, request: ExportRequest, exporter: Exporter, directory: Path,
                 key: Ed25519PrivateKey, now: datetime, media_root: Path | None = None) -> tuple[dict[str, Any], int]:
    """Write the files and the signed manifest into `directory` (which exists and is empty)."""
    zone = local_zone(division)
    account, ids = _select_ids(session, division, request)
    header = {
        "division": division.name, "account": account.name, "platform": account.platform, "parameters": request.parameters(),
        "created_at_local": local(now, zone), "created_by": exporter.email, "items": len(ids), "zone": str(zone),
    }
    writer = _writer(request.fmt, directory, header)
    count = 0
    try:
        for record in _records(session, account, ids, zone, media_root):
            item = session.get(StoredItem, record["item"]["id"])
            copied = {name: source for photos in (_all_images(session, item, media_root) if item is not None else {}).values() for name, source in photos}
            for name, source in copied.items():
                target = directory / "images" / name
                target.parent.mkdir(exist_ok=True)
                shutil.copyfile(source, target)
            writer.add(record)
            count += 1
    finally:
        writer.close()
    head_id, head_hash = last_link(session.connection())
    files = []
    for name in _files_of(directory):
        sha, size = file_digest(directory / name)
        files.append({"path": name, "sha256": sha, "size": size})
    public = signing.encode_public(key.public_key())
    manifest: dict[str, Any] = {
        "manifest_version": MANIFEST_VERSION, "generator": "hallwatch records export", "division": division.name,
        "created_at": iso(now), "created_at_local": local(now, zone), "created_by": {"email": exporter.email, "role": exporter.role},
        "parameters": request.parameters(), "items": count, "files": files,
        "audit_head": {"id": head_id or None, "row_hash": head_hash if head_id else None},
        "signature_algorithm": signing.ALGORITHM, "public_key": public, "public_key_fingerprint": signing.fingerprint(public),
    }
    manifest["signature"] = signing.sign(key, signed_bytes(manifest))
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest, count


def _check_output(output: Path) -> None:
    if output.exists() or output.is_symlink():
        if not output.is_dir() or output.is_symlink():
            raise ExportError(f"--output: {output} exists and is not a folder")
        if any(output.iterdir()):
            raise ExportError(f"--output: {output} is not empty; name a new folder (an export never overwrites another)")
    if not output.parent.is_dir():
        raise ExportError(f"--output: the folder {output.parent} does not exist")


def export_records(database: Database, division: Division, request: ExportRequest, exporter: Exporter, output: Path,
                   now: datetime, key: Ed25519PrivateKey | None = None, audit_output: str | None = None,
                   media_root: Path | None = None) -> ExportResult:
    """Make the export at `output`: all of it, audited, or nothing (see the module's docstring).

    `audit_output` is what the audit row says the export went to (the web page: "web download")."""
    if request.fmt not in FORMATS:
        raise ExportError(f"--format: {request.fmt!r} is not one of {', '.join(FORMATS)}")
    if request.date_from and request.date_to and request.date_from > request.date_to:
        raise ExportError(f"--from: {request.date_from} is after --to {request.date_to}")
    require_exporter(exporter.email, exporter.role)
    output = output.absolute()
    _check_output(output)
    key = key or signing.division_key(division)
    partial = output.parent / f".{output.name}.partial-{uuid.uuid4().hex[:8]}"
    partial.mkdir(mode=0o700)
    try:
        with database.transaction() as session:
            manifest, count = write_export(session, division, request, exporter, partial, key, now, media_root)
            manifest_sha, _ = file_digest(partial / MANIFEST)
            session.add(AuditEntry(
                at=now, actor=exporter.email, action="records_export", entity_type="export", entity_id=manifest_sha[:16],
                before=None, after={"parameters": request.parameters(), "manifest_sha256": manifest_sha, "items": count,
                                    "files": len(manifest["files"]), "public_key_fingerprint": manifest["public_key_fingerprint"],
                                    "output": audit_output or str(output)},
            ))
        # audited first, renamed after: an export that exists is always in the audit log (a rename
        # that fails after the commit leaves an audit row for an export that is not there, never the reverse)
        _check_output(output)
        os.rename(partial, output)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return ExportResult(output, manifest_sha, count, [f["path"] for f in manifest["files"]], manifest["public_key_fingerprint"])


# --- checking an export -----------------------------------------------------------------------


@dataclass
class VerifyReport:
    problems: list[str] = field(default_factory=list)
    checked: int = 0
    fingerprint: str | None = None
    key_source: str = "the manifest"

    @property
    def ok(self) -> bool:
        return not self.problems


def _safe_relative(name: Any) -> bool:
    if not isinstance(name, str) or not name or "\\" in name or "\x00" in name:
        return False
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name != MANIFEST


def verify_export(directory: Path, public_key: Ed25519PublicKey | None = None) -> VerifyReport:
    """Every listed file there with its size and SHA-256, no file more, and a good signature."""
    report = VerifyReport()
    manifest_path = directory / MANIFEST
    if not directory.is_dir():
        report.problems.append(f"{directory}: not a folder")
        return report
    if not manifest_path.is_file():
        report.problems.append(f"{MANIFEST}: missing")
        return report
    if manifest_path.stat().st_size > MANIFEST_LIMIT:
        report.problems.append(f"{MANIFEST}: larger than {MANIFEST_LIMIT} bytes; not a hallwatch manifest")
        return report
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        report.problems.append(f"{MANIFEST}: not UTF-8 text")
        return report
    except json.JSONDecodeError as exc:
        report.problems.append(f"{MANIFEST}:{exc.lineno}: not valid JSON ({exc.msg})")
        return report
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, list):
        report.problems.append(f"{MANIFEST}: files: missing or not a list")
        return report
    listed: set[str] = set()
    for index, entry in enumerate(files):
        name = entry.get("path") if isinstance(entry, dict) else None
        if not _safe_relative(name):
            report.problems.append(f"{MANIFEST}: files[{index}].path: {name!r} is not a plain relative path")
            continue
        listed.add(name)
        path = directory / name
        if not path.is_file() or path.is_symlink():
            report.problems.append(f"{name}: missing (listed in the manifest)")
            continue
        sha, size = file_digest(path)
        if size != entry.get("size"):
            report.problems.append(f"{name}: size {size} bytes, the manifest says {entry.get('size')}")
        if sha != entry.get("sha256"):
            report.problems.append(f"{name}: SHA-256 {sha} does not match the manifest's {entry.get('sha256')}")
        report.checked += 1
    for name in _files_of(directory):
        if name != MANIFEST and name not in listed:
            report.problems.append(f"{name}: not listed in the manifest (an added file)")
    signature = manifest.get("signature")
    embedded = manifest.get("public_key")
    try:
        if public_key is None:
            if not isinstance(embedded, str):
                raise signing.SigningError(f"{MANIFEST}: public_key: missing")
            public_key = signing.decode_public(embedded, f"{MANIFEST}: public_key")
        else:
            report.key_source = "--public-key"
    except signing.SigningError as exc:
        report.problems.append(str(exc))
        return report
    given = signing.encode_public(public_key)
    report.fingerprint = signing.fingerprint(given)
    if isinstance(embedded, str) and embedded.strip() != given:
        report.problems.append(f"{MANIFEST}: public_key: signed with key {signing.fingerprint(embedded.strip())}, not the key given ({report.fingerprint})")
    if manifest.get("signature_algorithm") != signing.ALGORITHM:
        report.problems.append(f"{MANIFEST}: signature_algorithm: {manifest.get('signature_algorithm')!r}, expected {signing.ALGORITHM}")
    if not isinstance(signature, str) or not signing.signature_valid(public_key, signed_bytes(manifest), signature):
        report.problems.append(f"{MANIFEST}: signature: does not match the manifest (the manifest was changed, or signed with another key)")
    return report
