"""Photos: read by content, size and pixel caps, upright, EXIF and GPS removed, thumbnail."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import ExifTags, Image

from store import PhotoError, StoreSettings, add_spot, clean_photo, get_photo, list_spots
from store.photos import heif_support
from tests.helpers.db import resident

GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (40.0, 0.0, 36.12),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (116.0, 19.0, 48.0),
}


def phone_jpeg(width: int = 400, height: int = 300, orientation: int = 6) -> bytes:
    """A JPEG as a phone writes it: EXIF with GPS, camera make, and a rotation flag."""
    img = Image.new("RGB", (width, height), (30, 120, 200))
    img.paste((250, 250, 0), (0, 0, width // 4, height // 4))  # a yellow top-left corner
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Orientation] = orientation
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif, quality=90)
    return buf.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a size in its header and has almost no data (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def test_the_fixture_really_carries_gps():
    with Image.open(io.BytesIO(phone_jpeg())) as img:
        gps = img.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert gps[ExifTags.GPS.GPSLatitudeRef] == "N" and len(gps) == 4


def test_exif_and_gps_are_removed_and_the_photo_is_upright():
    clean = clean_photo(phone_jpeg(400, 300, orientation=6), name="IMG_0001.JPG")
    for data in (clean.data, clean.thumb):
        with Image.open(io.BytesIO(data)) as img:
            assert img.format == "JPEG"
            assert dict(img.getexif()) == {}
            assert img.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
            assert "exif" not in img.info and "icc_profile" not in img.info
    raw = clean.data + clean.thumb
    assert b"Exif" not in raw and b"PhoneMaker" not in raw
    # Orientation 6 = rotate 90° clockwise to view: 400×300 stored, 300×400 shown.
    assert (clean.width, clean.height) == (300, 400)
    with Image.open(io.BytesIO(clean.data)) as img:
        top_right = img.getpixel((295, 5))
    assert top_right[0] > 200 and top_right[2] < 80  # the yellow corner turned to the top right
    assert clean.source_format == "JPEG"


def test_large_photos_are_shrunk_and_thumbnailed():
    settings = StoreSettings(photo_max_side_px=800, thumb_side_px=100)
    clean = clean_photo(phone_jpeg(2400, 1800, orientation=1), settings=settings)
    assert (clean.width, clean.height) == (800, 600)
    with Image.open(io.BytesIO(clean.thumb)) as thumb:
        assert thumb.size == (100, 75)


def test_png_with_transparency_is_flattened_on_white():
    img = Image.new("RGBA", (50, 40), (255, 0, 0, 0))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    clean = clean_photo(buf.getvalue(), name="drawing.png")
    with Image.open(io.BytesIO(clean.data)) as out:
        assert out.mode == "RGB" and out.getpixel((10, 10)) >= (250, 250, 250)
    assert clean.source_format == "PNG"


@pytest.mark.parametrize(
    ("data", "name", "match"),
    [
        (
            b"<html><script>alert(1)</script></html>",
            "photo.jpg",
            "File `photo.jpg` is not a JPEG, PNG or HEIC image \\(its first bytes are 3c 68 74 6d",
        ),
        (b"%PDF-1.7\n", "scan.png", "`scan.png` is not a JPEG, PNG or HEIC image"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "a.gif", "is not a JPEG, PNG or HEIC image"),
        (b"", "empty.jpg", "is empty \\(0 bytes\\)"),
        (
            b"\xff\xd8\xff\xe0" + b"\x00" * 50,
            "cut.jpg",
            "is not a JPEG, PNG or HEIC image|is damaged or cut short",
        ),
    ],
)
def test_files_that_are_not_photos_are_refused(data, name, match):
    with pytest.raises(PhotoError, match=match):
        clean_photo(data, name=name)


def test_too_many_bytes_are_refused_without_reading_everything():
    settings = StoreSettings(max_photo_bytes=50_000)
    data = phone_jpeg(2000, 2000)
    assert len(data) > 50_000
    with pytest.raises(
        PhotoError, match=r"Photo `big.jpg` is more than 49 KB: the limit is 49 KB; send a smaller photo"
    ):
        clean_photo(io.BytesIO(data), name="big.jpg", settings=settings)


def test_too_many_pixels_are_refused_before_decoding():
    bomb = png_header_only(10_000, 6_000)  # 60 MP claimed in a 100-byte file
    assert len(bomb) < 200
    with pytest.raises(PhotoError, match=r"is 10000 × 6000 pixels \(60 MP\): the limit is 50 MP"):
        clean_photo(bomb, name="bomb.png")
    with pytest.raises(
        PhotoError, match=r"Photo `huge.png` is refused: Image size \(400000000 pixels\) exceeds limit"
    ):
        clean_photo(png_header_only(20_000, 20_000), name="huge.png")


@pytest.mark.skipif(heif_support(), reason="pillow-heif is installed, so HEIC is accepted")
def test_heic_without_pillow_heif_names_the_missing_package():
    heic = struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00" + b"mif1heic" + b"\x00" * 32
    with pytest.raises(
        PhotoError,
        match=r"`IMG_0002\.HEIC` is HEIC/HEIF, which needs the Python package `pillow-heif`, and it is not installed",
    ):
        clean_photo(heic, name="IMG_0002.HEIC")


def test_a_spot_keeps_only_the_cleaned_photo(store, compound):
    spot = add_spot(
        store, compound, resident(), 116.33, 40.01, "paving", "坑", photo=phone_jpeg(), photo_name="a.jpg"
    )
    assert spot.has_photo and list_spots(store, compound)[0].has_photo
    stored = get_photo(store, spot.id)
    assert stored.startswith(b"\xff\xd8") and b"PhoneMaker" not in stored and b"Exif" not in stored
    with Image.open(io.BytesIO(get_photo(store, spot.id, thumbnail=True))) as thumb:
        assert max(thumb.size) <= 320


def test_a_refused_photo_stores_no_spot(store, compound):
    with pytest.raises(PhotoError, match="is not a JPEG, PNG or HEIC image"):
        add_spot(
            store,
            compound,
            resident(),
            116.33,
            40.01,
            "paving",
            "坑",
            photo=b"MZ\x90\x00",
            photo_name="x.exe",
        )
    assert list_spots(store, compound) == []
