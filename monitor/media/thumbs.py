"""Thumbnails of stored photos for the review pages, made once with Pillow and cached.

Why a thumbnail: the queue shows photos at a few hundred pixels on a phone; sending a 10 MiB
original to every page view wastes the school's bandwidth. The cache file is named from the
original's SHA-256 (media/thumbs/<sha>.jpg) and written atomically; it goes when the original does
(monitor.media.store.delete_item_media).
"""
from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

from monitor.media.store import thumbnail_path

MAX_SIDE = 480


def thumbnail(root: Path, relative: str, max_side: int = MAX_SIDE) -> Path:
    """The cached thumbnail (JPEG, at most `max_side` px a side) of the stored file `relative`."""
    from PIL import Image, ImageOps

    target = thumbnail_path(root, relative)
    if target.is_file():
        return target
    with Image.open(root / relative) as image:
        image.seek(0)  # the first frame of a GIF or animated WebP
        small = ImageOps.exif_transpose(image.convert("RGBA" if image.mode in ("P", "LA", "RGBA") else "RGB"))
        small.thumbnail((max_side, max_side))
        if small.mode == "RGBA":
            flat = Image.new("RGB", small.size, (255, 255, 255))
            flat.paste(small, mask=small.getchannel("A"))
            small = flat
        buffer = io.BytesIO()
        small.save(buffer, "JPEG", quality=85)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(buffer.getvalue())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target
