"""Residents' photos: checked by content, capped, turned upright, stripped and re-encoded.

What a stored photo is: a JPEG of at most ``photo_max_side_px`` on its long side, made from the
upload's pixels only (no EXIF, no GPS, no maker notes, no text chunks, colours converted to
sRGB), and a JPEG thumbnail. The upload's format is read from its bytes, never from its name;
its decoded size is checked from the header before any pixel is decoded, so a small file that
would expand to hundreds of megapixels is refused cheaply.

HEIC/HEIF (iPhone photos) are read when the optional package ``pillow-heif`` is installed;
without it they are refused with a message that names the package.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import logging
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from store.errors import PhotoError
from store.settings import StoreSettings

log = logging.getLogger(__name__)

MIME = "image/jpeg"
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_ACCEPTED = ("JPEG", "PNG")


@dataclass(frozen=True)
class CleanPhoto:
    """A photo ready to store."""

    data: bytes
    thumb: bytes
    width: int
    height: int
    source_format: str
    sha256: str
    mime: str = MIME


def is_heif(head: bytes) -> bool:
    """Return whether bytes start like a HEIC/HEIF file (an ISO-BMFF ``ftyp`` box)."""
    return len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS


def heif_support() -> bool:
    """Register and report the HEIC/HEIF opener of ``pillow-heif`` if it is installed."""
    try:
        pillow_heif = importlib.import_module("pillow_heif")
    except ImportError:
        return False
    pillow_heif.register_heif_opener()
    return True


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{round(n / 1024)} KB"


def read_upload(upload: bytes | BinaryIO, *, max_bytes: int, name: str = "photo") -> bytes:
    """Read an upload, refusing it as soon as it passes ``max_bytes``."""
    if isinstance(upload, bytes | bytearray | memoryview):  # noqa: SIM108 (mypy narrows this, not a ternary)
        data = bytes(upload)
    else:
        data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        key = "error.photo.over_limit" if len(data) == max_bytes + 1 else "error.photo.too_big"
        raise PhotoError(key, name=name, size=_mb(len(data)), max=_mb(max_bytes))
    if not data:
        raise PhotoError("error.photo.empty", name=name)
    return data


def _open(data: bytes, name: str) -> Image.Image:
    formats: tuple[str, ...] = _ACCEPTED
    if is_heif(data[:16]):
        if not heif_support():
            raise PhotoError("error.photo.heif", name=name)
        formats = ("HEIF",)
    try:
        return Image.open(io.BytesIO(data), formats=list(formats))
    except Image.DecompressionBombError as exc:
        raise PhotoError("error.photo.bomb", name=name, detail=str(exc)) from exc
    except ValueError as exc:  # PIL: a zTXt/iTXt/iCCP chunk expanding past MAX_TEXT_CHUNK
        raise _chunk_bomb(name, exc) from exc
    except (UnidentifiedImageError, OSError) as exc:
        head = data[:8].hex(" ")
        raise PhotoError("error.photo.not_image", name=name, detail=f"its first bytes are {head}") from exc


_DECOMPRESSED = "Decompressed data too large"


def _chunk_bomb(name: str, exc: ValueError) -> PhotoError:
    """The refusal of a photo whose compressed metadata expands past Pillow's limit (a bomb)."""
    if _DECOMPRESSED not in str(exc):
        return PhotoError("error.photo.not_image", name=name, detail=str(exc))
    from PIL import PngImagePlugin

    limit = PngImagePlugin.MAX_TEXT_CHUNK // (1024 * 1024)
    return PhotoError("error.photo.chunk_bomb", name=name, mb=limit)


def _to_srgb_rgb(img: Image.Image) -> Image.Image:
    icc = img.info.get("icc_profile")
    if icc and img.mode in ("RGB", "RGBA", "CMYK"):
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            out_mode = "RGBA" if img.mode == "RGBA" else "RGB"
            converted = ImageCms.profileToProfile(
                img, src, ImageCms.createProfile("sRGB"), outputMode=out_mode
            )
            if converted is not None:
                img = converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            log.info("Photo colour profile unreadable; kept the pixel values as they are")
    if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return img.convert("RGB")


def _jpeg(img: Image.Image, quality: int) -> bytes:
    # A fresh image from the pixels alone: no info dict, so no EXIF, XMP, ICC or text.
    bare = Image.frombytes("RGB", img.size, img.tobytes())
    buf = io.BytesIO()
    bare.save(buf, format="JPEG", quality=quality, optimize=True, progressive=True)
    return buf.getvalue()


def clean_photo(
    upload: bytes | BinaryIO,
    *,
    name: str = "photo",
    settings: StoreSettings | None = None,
) -> CleanPhoto:
    """Check an uploaded photo and re-encode it without metadata, with a thumbnail.

    Parameters
    ----------
    upload
        The uploaded bytes, or a binary file object (read at most one byte past the limit).
    name
        The file name the resident gave, used in messages only (the content decides the type).
    settings
        Size limits; :class:`~store.settings.StoreSettings` when omitted.

    Returns
    -------
    CleanPhoto
        JPEG bytes upright (EXIF orientation applied), in sRGB, and a thumbnail.

    Raises
    ------
    PhotoError
        When the upload is empty, too many bytes or pixels, not a JPEG/PNG/HEIC image, damaged,
        or HEIC without ``pillow-heif``.
    """
    settings = settings or StoreSettings()
    data = read_upload(upload, max_bytes=settings.max_photo_bytes, name=name)
    with _open(data, name) as img:
        source_format = img.format or "?"
        width, height = img.size
        if width * height > settings.max_photo_pixels:
            raise PhotoError(
                "error.photo.too_many_pixels",
                name=name,
                width=width,
                height=height,
                mp=width * height / 1e6,
                max_mp=settings.max_photo_pixels / 1e6,
            )
        side = settings.photo_max_side_px
        if source_format in ("JPEG", "MPO"):
            img.draft("RGB", (side, side))  # decode at reduced scale: less memory and time
        try:
            img.load()
            rgb = _to_srgb_rgb(ImageOps.exif_transpose(img))
        except ValueError as exc:
            if _DECOMPRESSED in str(exc):
                raise _chunk_bomb(name, exc) from exc
            raise PhotoError("error.photo.damaged", name=name, format=source_format, detail=str(exc)) from exc
        except (OSError, SyntaxError) as exc:
            raise PhotoError("error.photo.damaged", name=name, format=source_format, detail=str(exc)) from exc
    rgb.thumbnail((side, side), Image.Resampling.LANCZOS)
    photo = _jpeg(rgb, settings.jpeg_quality)
    thumb_img = rgb.copy()
    thumb_img.thumbnail((settings.thumb_side_px, settings.thumb_side_px), Image.Resampling.LANCZOS)
    thumb = _jpeg(thumb_img, settings.jpeg_quality)
    log.info(
        "Cleaned photo %s: %s %d×%d, %d bytes -> JPEG %d×%d, %d bytes",
        name, source_format, width, height, len(data), rgb.width, rgb.height, len(photo),
    )  # fmt: skip
    return CleanPhoto(
        data=photo,
        thumb=thumb,
        width=rgb.width,
        height=rgb.height,
        source_format=source_format,
        sha256=hashlib.sha256(photo).hexdigest(),
    )
