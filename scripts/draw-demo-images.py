"""Draws the example division's demo photos (connectors/sample_images/*.png) from simple shapes.

Why drawn: the demo needs photos whose faces the classifier's OpenCV face detector (the frontal
Haar cascade in classifiers/photos.py) counts, and no photo of a real child may ever ship. These are
cartoon figures: an oval face with a shaded eye band, a bright nose ridge and a mouth, which is
the light-and-dark pattern the cascade looks for. Deterministic: running it again gives the same
files. Run: .venv/bin/python scripts/draw-demo-images.py (tests/media/test_demo_images.py checks
that the counts below still hold).
"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

OUT = Path(__file__).resolve().parents[1] / "connectors" / "sample_images"
W, H = 640, 480
SKIN = [(150, 185, 230), (120, 170, 215), (140, 195, 235), (110, 150, 200)]
SHIRTS = [(180, 90, 40), (60, 140, 60), (40, 60, 170), (150, 60, 150), (30, 150, 200), (120, 120, 30)]


def face(img: np.ndarray, cx: int, cy: int, s: int, n: int) -> None:
    """A cartoon face of size s centred at (cx, cy), with hair; n picks the colours."""
    a, b = int(s * 0.42), int(s * 0.55)
    skin = SKIN[n % len(SKIN)]
    shade = tuple(int(c * 0.7) for c in skin)
    cv2.ellipse(img, (cx, cy), (a, b), 0, 0, 360, shade, -1)
    cv2.ellipse(img, (cx, cy), (a - 8, b - 8), 0, 0, 360, skin, -1)
    hair = (30, 40, 60) if n % 2 else (40, 80, 120)
    cv2.ellipse(img, (cx, cy - int(b * 0.75)), (a + 4, int(b * 0.45)), 0, 180, 360, hair, -1)
    cv2.rectangle(img, (cx - a - 4, cy - int(b * 0.75)), (cx + a + 4, cy - int(b * 0.62)), hair, -1)
    ey = cy - int(s * 0.12)
    for dx in (-1, 1):
        ex = cx + dx * int(s * 0.18)
        cv2.ellipse(img, (ex, ey - int(s * 0.07)), (int(s * 0.11), int(s * 0.025)), 0, 0, 360, (40, 45, 55), -1)
        cv2.ellipse(img, (ex, ey), (int(s * 0.1), int(s * 0.05)), 0, 0, 360, (60, 70, 80), -1)
        cv2.circle(img, (ex, ey), int(s * 0.025), (20, 20, 20), -1)
    cv2.ellipse(img, (cx, cy + int(s * 0.02)), (int(s * 0.05), int(s * 0.13)), 0, 0, 360, tuple(min(255, c + 30) for c in skin), -1)
    cv2.ellipse(img, (cx, cy + int(s * 0.15)), (int(s * 0.07), int(s * 0.025)), 0, 0, 360, shade, -1)
    cv2.ellipse(img, (cx, cy + int(s * 0.29)), (int(s * 0.15), int(s * 0.04)), 0, 0, 360, (60, 60, 150), -1)


def person(img: np.ndarray, cx: int, cy: int, s: int, n: int, *, back: bool = False) -> None:
    """A figure: shirt, then a face (or, seen from behind, only hair)."""
    cv2.ellipse(img, (cx, cy + int(s * 1.1)), (int(s * 0.6), int(s * 0.6)), 0, 180, 360, SHIRTS[n % len(SHIRTS)], -1)
    cv2.rectangle(img, (cx - int(s * 0.6), cy + int(s * 1.1)), (cx + int(s * 0.6), H), SHIRTS[n % len(SHIRTS)], -1)
    if back:
        cv2.ellipse(img, (cx, cy), (int(s * 0.42), int(s * 0.55)), 0, 0, 360, (30, 40, 60), -1)
    else:
        face(img, cx, cy, s, n)


def scene(sky: tuple[int, int, int], ground: tuple[int, int, int], horizon: int = 330) -> np.ndarray:
    img = np.zeros((H, W, 3), np.uint8)
    img[:horizon] = sky
    img[horizon:] = ground
    return img


def finish(img: np.ndarray) -> np.ndarray:
    return cv2.GaussianBlur(img, (5, 5), 0)


def draw() -> dict[str, tuple[np.ndarray, int]]:
    """name -> (image, faces the detector is meant to count)."""
    images: dict[str, tuple[np.ndarray, int]] = {}
    # two science fair winners beside a volcano model
    img = scene((200, 190, 170), (90, 110, 130))
    cv2.fillPoly(img, [np.array([[470, 420], [560, 250], [650, 420]])], (40, 80, 120))
    for i, x in enumerate((150, 330)):
        person(img, x, 200, 150, i)
        cv2.circle(img, (x + 40, 330), 18, (30, 30, 200), -1)
    images["cvig-1.png"] = (img, 2)
    # runners from behind at a finish line: no face shows
    img = scene((230, 200, 150), (60, 150, 60))
    cv2.rectangle(img, (0, 120), (W, 135), (250, 250, 250), -1)
    for i, x in enumerate((110, 250, 390, 530)):
        person(img, x, 230, 110, i, back=True)
    images["cvig-2.png"] = (img, 0)
    # a robotics trophy on a table
    img = scene((180, 170, 160), (70, 90, 120), 360)
    cv2.rectangle(img, (160, 330), (480, 360), (40, 70, 110), -1)
    cv2.rectangle(img, (290, 250), (350, 330), (40, 170, 210), -1)
    cv2.ellipse(img, (320, 200), (70, 60), 0, 0, 180, (40, 190, 230), -1)
    images["phfb-2.png"] = (img, 0)
    # children on the new playground (no words in the post say faces show: the image does)
    img = scene((235, 205, 150), (80, 160, 200))
    cv2.rectangle(img, (40, 60), (600, 80), (30, 30, 200), -1)
    for i, x in enumerate((130, 320, 510)):
        person(img, x, 210, 140, i + 2)
    images["phfb-3.png"] = (img, 3)
    # students around a Van de Graaff generator
    img = scene((170, 160, 150), (100, 100, 100))
    cv2.circle(img, (320, 120), 70, (200, 200, 200), -1)
    cv2.rectangle(img, (305, 190), (335, 330), (60, 60, 60), -1)
    for i, x in enumerate((110, 530)):
        person(img, x, 220, 140, i + 1)
    person(img, 320, 330, 90, 4)
    images["wcfb-1.png"] = (img, 3)
    # kindergarten students in a pumpkin patch
    img = scene((230, 210, 170), (50, 120, 90), 300)
    for x in range(30, W, 70):
        cv2.circle(img, (x, 455), 22, (20, 120, 240), -1)
    for i, x in enumerate((75, 200, 320, 440, 565)):
        person(img, x, 190 + (i % 2) * 40, 100, i)
    images["wcfb-2.png"] = (img, 5)
    # tables of books: no people
    img = scene((190, 200, 210), (90, 120, 150), 300)
    for y in (200, 320):
        cv2.rectangle(img, (60, y), (580, y + 20), (40, 70, 110), -1)
        for k, x in enumerate(range(80, 560, 36)):
            cv2.rectangle(img, (x, y - 60), (x + 28, y), SHIRTS[k % len(SHIRTS)], -1)
    images["wcfb-3.png"] = (img, 0)
    # three star readers holding certificates
    img = scene((210, 180, 200), (120, 120, 140))
    for i, x in enumerate((120, 320, 520)):
        person(img, x, 200, 130, i + 3)
        cv2.rectangle(img, (x - 45, 320), (x + 45, 380), (245, 245, 245), -1)
        cv2.circle(img, (x + 25, 365), 9, (30, 180, 230), -1)
    images["wcfb-4.png"] = (img, 3)
    return {name: (finish(img), count) for name, (img, count) in images.items()}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    from classifiers.photos import count_faces

    for name, (img, expected) in draw().items():
        path = OUT / name
        cv2.imwrite(str(path), img, [cv2.IMWRITE_PNG_COMPRESSION, 9])
        counted = count_faces(str(path))
        print(f"{name}: {counted} face(s) counted, {expected} drawn")


if __name__ == "__main__":
    main()
