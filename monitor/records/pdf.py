"""The records export as a PDF a records officer can read (fpdf2).

A cover page (division, account, what was asked, by whom, when, the time zone), then one section
per item: account, times in the division's time zone, author, link, the text, images (where
stored) or the media's links, every version with its own text and images (or links) as the
current one's are shown, the findings with their reasons, the review and its
history. Text is set in DejaVu Sans, a TTF with wide Unicode coverage, taken from matplotlib's own
copy (a pinned dependency) or Debian's fonts-dejavu-core: accents and most symbols print; a
character the font lacks (a colour emoji) prints as its code point, e.g. [U+1F389], so the reader
knows something was there, never as an error or a silent gap. A very long text
is cut in the PDF at TEXT_LIMIT characters with a note: the PDF export also holds items.jsonl,
the complete record.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from monitor.errors import HallwatchError

TEXT_LIMIT = 20_000
_FONT_DIRS = []
try:
    import matplotlib

    _FONT_DIRS.append(Path(matplotlib.get_data_path()) / "fonts" / "ttf")
except ImportError:  # pragma: no cover - matplotlib is a pinned dependency
    pass
_FONT_DIRS.append(Path("/usr/share/fonts/truetype/dejavu"))
# surrogates (a cut emoji) and control characters other than newline and tab
_UNPRINTABLE = re.compile("[\ud800-\udfff\x00-\x08\x0b-\x1f\x7f]")


class PdfError(HallwatchError):
    pass


def _font(name: str) -> Path:
    for directory in _FONT_DIRS:
        if (directory / name).is_file():
            return directory / name
    raise PdfError(f"the PDF font {name} is missing: install fonts-dejavu-core (looked in {', '.join(map(str, _FONT_DIRS))})")


def printable(value: Any, known: Any = None) -> str:
    """The text safe to set: surrogates and control characters become U+FFFD; with `known` (the
    font's code points), a character the font lacks becomes [U+XXXX]."""
    text = _UNPRINTABLE.sub("\ufffd", "" if value is None else str(value))
    if known is None or all(ord(c) in known or c in "\n\t" for c in text):
        return text
    return "".join(c if ord(c) in known or c in "\n\t" else f"[U+{ord(c):04X}]" for c in text)


class _Document(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.title_text = title
        self.set_auto_page_break(True, margin=15)
        self.add_font("DejaVu", "", str(_font("DejaVuSans.ttf")))
        self.add_font("DejaVu", "B", str(_font("DejaVuSans-Bold.ttf")))
        self.set_title(title)
        self.set_creator("hallwatch")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.cell(0, 5, f"{self.title_text} · page {self.page_no()}/{{nb}}", align="C")


class PdfWriter:
    """records.pdf, one item at a time; written out on close."""

    def __init__(self, path: Path, header: dict[str, Any]) -> None:
        # fpdf2 reports each glyph the font lacks as a warning; those are content, so they stay out of logs
        logging.getLogger("fpdf").setLevel(logging.ERROR)
        self.path = path
        self.pdf = _Document(f"{header['division']}: records of {header['account']}")
        self.pdf.alias_nb_pages()
        self.known = set(self.pdf.fonts["dejavu"].cmap) & set(self.pdf.fonts["dejavuB"].cmap)
        self._cover(header)

    # -- building blocks
    def _line(self, text: str, size: float = 10, bold: bool = False, height: float = 5) -> None:
        self.pdf.set_font("DejaVu", "B" if bold else "", size)
        self.pdf.multi_cell(0, height, printable(text, self.known), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def _field(self, label: str, value: Any) -> None:
        self.pdf.set_font("DejaVu", "B", 9)
        self.pdf.cell(38, 5, printable(label, self.known))
        self.pdf.set_font("DejaVu", "", 9)
        self.pdf.multi_cell(0, 5, printable(value if value not in (None, "") else "-", self.known), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def _image(self, path: Path) -> None:
        """The stored photo itself, at most 80 mm wide and 70 mm high, on a new page when it does not fit."""
        try:
            # no y: fpdf2 places it in the flow and breaks the page first when it does not fit
            self.pdf.image(str(path), x=self.pdf.l_margin, w=80, h=70, keep_aspect_ratio=True)
        except Exception as exc:  # noqa: BLE001  (a picture fpdf2 cannot read stays a file in images/, named below)
            self._line(f"(the picture could not be drawn: {type(exc).__name__})", size=9)

    def _images(self, images: list[str], media: list[Any], empty: bool = True) -> None:
        """The stored photos drawn, each with its name in images/; else the media's links (not
        stored); else "none" (unless `empty` is False: an earlier version without media says nothing)."""
        if images:
            for name in images:
                self._image(self.path.parent / "images" / name)
                self._line(f"images/{name}", size=9)
        elif media:
            for m in media:
                if not isinstance(m, dict):
                    continue
                tagged = ", ".join(str(t) for t in m.get("tagged") or [])
                self._line(f"{m.get('type', 'media')}: {m.get('url') or '(no link)'}" + (f"; alt text: {m['alt_text']}" if m.get("alt_text") else "")
                           + (f"; tagged: {tagged}" if tagged else "") + " (not stored)", size=9)
        elif empty:
            self._line("none", size=9)

    def _heading(self, text: str) -> None:
        self.pdf.ln(2)
        self._line(text, size=10.5, bold=True, height=6)

    def _body(self, text: str) -> None:
        shown = text if len(text) <= TEXT_LIMIT else text[:TEXT_LIMIT]
        self.pdf.set_fill_color(245, 245, 245)
        self.pdf.set_font("DejaVu", "", 9.5)
        self.pdf.multi_cell(0, 5, printable(shown, self.known) or "(no text)", fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if len(text) > TEXT_LIMIT:
            self._line(f"(the text goes on: {len(text):,} characters in all; the whole text is in items.jsonl)", size=8)

    def _cover(self, header: dict[str, Any]) -> None:
        self.pdf.add_page()
        self._line("Records export", size=18, bold=True, height=10)
        self._line(header["division"], size=12, height=7)
        self.pdf.ln(4)
        params = header["parameters"]
        self._field("Account", f"{header['account']} ({header['platform']})")
        self._field("Items", header["items"])
        self._field("Posted from", params.get("from") or "the first item")
        self._field("Posted to", params.get("to") or "the last item")
        if params.get("item") is not None:
            self._field("Only item", params["item"])
        self._field("Exported", header["created_at_local"])
        self._field("Exported by", header["created_by"])
        self._field("Times", f"in the division's time zone, {header['zone']}")
        self.pdf.ln(4)
        self._line("manifest.json beside this file lists every file of the export with its SHA-256 and is signed "
                   "with the division's Ed25519 key; `hallwatch export verify` checks it.", size=9)

    # -- one item
    def add(self, record: dict[str, Any]) -> None:
        item, review = record["item"], record["review"]
        author = item["author"]
        self.pdf.add_page()
        self._line(f"Item {item['id']}: {item['kind']} on {item['platform']}", size=13, bold=True, height=7)
        self._field("Account", item["account"])
        self._field("Posted", item["created_at_local"])
        self._field("First seen", item["first_seen_at_local"])
        self._field("Author", f"{author['name']}" + (" (the account itself)" if author["is_account"] else "")
                    + (f", id {author['platform_id']}" if author.get("platform_id") else ""))
        self._field("Link", item["permalink"])
        if item.get("parent_platform_id"):
            self._field("Reply to", item["parent_platform_id"])
        self._field("Platform id", item["platform_id"])
        self._heading("Text")
        self._body(record["text"])
        self._heading("Images")
        self._images(record["images"], record["media"])
        self._heading(f"Versions ({len(record['versions'])})")
        for v in record["versions"]:
            until = f" to {v['seen_until_local']}" if v.get("seen_until_local") else ""
            self._line(f"Version {v['version']}, seen {v.get('seen_at_local') or v.get('seen_at') or '-'}{until}"
                       + (" (current: the text above)" if v.get("current") else f" ({v['why']})" if v.get("why") else ""), size=9, bold=True)
            if not v.get("current"):
                self._body(v.get("text") or "")
                self._images(v.get("images") or [], v.get("media") or [], empty=False)
        self._heading(f"Findings ({len(record['findings'])})")
        if not record["findings"]:
            self._line("none", size=9)
        for f in record["findings"]:
            self._line(f"{f['category']} · {f['severity']} · score {f['score']:.2f} · {f['clause']}"
                       + (f" · {f['label']}" if f.get("label") else "") + f" · {f['created_at_local']}", size=9, bold=True)
            if f.get("reason"):
                self._line(f["reason"], size=9)
        self._heading("Review")
        if review is None:
            self._line("not in the review queue", size=9)
        else:
            self._field("Review item", f"{review['id']}: {review['state']}, {review['severity']}, due {review['due_at_local']}")
            if review.get("outcome"):
                self._field("Outcome", f"{review['outcome']} by {review['resolved_by']} on {review['resolved_at_local']}")
            if review.get("note"):
                self._field("Note", review["note"])
        self._heading(f"History ({len(record['history'])})")
        for h in record["history"]:
            self._line(f"{h['at_local']}  {h['actor']}  {h['action']}  (audit row {h['id']})", size=8.5)

    def close(self) -> None:
        self.pdf.output(str(self.path))
