"""Open zip archives (zipped Shapefiles, KMZ, XLSX) without trusting them.

Everything is checked from the central directory before a byte is extracted: the number of
members, each member's and the total uncompressed size, the compression ratio, names that climb
out of the folder (``../``, absolute paths, drive letters), links, encrypted members and archives
nested inside. While extracting, bytes are counted as they are written and the copy stops at the
declared size, so a member that lies about its size cannot grow past it.

Members whose names were written in GBK by Chinese Windows (no UTF-8 flag) are renamed to the
decoded Chinese name.
"""

from __future__ import annotations

import logging
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pipeline.core.errors import InputFileError

log = logging.getLogger(__name__)

NESTED_SUFFIXES = (".zip", ".kmz", ".rar", ".7z", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".jar")
_CHUNK = 1 << 16


@dataclass(frozen=True)
class ZipLimits:
    """Limits on an archive; the defaults fit a survey of one compound with room to spare."""

    max_members: int = 200
    max_member_bytes: int = 200 * 1024 * 1024
    max_total_bytes: int = 300 * 1024 * 1024
    max_ratio: float = 100.0


def _member_name(info: zipfile.ZipInfo) -> str:
    """Return the member's name, re-decoded from GBK when the archive did not flag UTF-8."""
    name = info.filename
    if info.flag_bits & 0x800:
        return name
    try:
        return name.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return name


def check_zip(
    path: Path, *, limits: ZipLimits = ZipLimits(), allow_nested: bool = False
) -> list[tuple[zipfile.ZipInfo, str]]:
    """Check an archive's members against ``limits`` before anything is extracted.

    Parameters
    ----------
    path
        The archive.
    limits
        Member count, sizes and compression ratio allowed.
    allow_nested
        Accept members that are archives themselves (only an XLSX's own parts do not count).

    Returns
    -------
    list of (ZipInfo, str)
        The file members and their decoded names (folders left out).

    Raises
    ------
    InputFileError
        The archive is damaged or breaks a limit; the message names the member and the fix.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputFileError("error.survey.bad_zip", name=path.name, detail=str(exc)) from exc
    with archive:
        infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise InputFileError("error.survey.zip_members", name=path.name, n=len(infos), max=limits.max_members)
    total = 0
    members = []
    for info in infos:
        name = _member_name(info)
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
            raise InputFileError("error.survey.zip_outside", name=path.name, member=name)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise InputFileError("error.survey.zip_link", name=path.name, member=name)
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            raise InputFileError("error.survey.zip_encrypted", name=path.name, member=name)
        if not allow_nested and name.lower().endswith(NESTED_SUFFIXES):
            raise InputFileError("error.survey.zip_nested", name=path.name, member=name)
        if info.file_size > limits.max_member_bytes:
            raise InputFileError(
                "error.survey.zip_member_size",
                name=path.name,
                member=name,
                size=info.file_size,
                max=limits.max_member_bytes,
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1_000_000 and ratio > limits.max_ratio:
            raise InputFileError(
                "error.survey.zip_ratio", name=path.name, member=name, ratio=ratio, max=limits.max_ratio
            )
        total += info.file_size
        members.append((info, name))
    if total > limits.max_total_bytes:
        raise InputFileError("error.survey.zip_total", name=path.name, size=total, max=limits.max_total_bytes)
    return members


def _copy_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: int) -> int:
    """Copy one member, stopping at its declared size and the remaining byte budget."""
    size = 0
    with archive.open(info) as src, target.open("wb") as dst:
        while chunk := src.read(_CHUNK):
            size += len(chunk)
            if size > info.file_size or size > budget:
                raise InputFileError("error.survey.zip_lies", member=info.filename)
            dst.write(chunk)
    return size


def extract_zip(
    path: Path,
    dest: Path,
    *,
    limits: ZipLimits = ZipLimits(),
    suffixes: tuple[str, ...] | None = None,
) -> list[Path]:
    """Check ``path`` with :func:`check_zip`, then extract its files flat into ``dest``.

    Parameters
    ----------
    path
        The archive.
    dest
        An existing, empty folder.
    limits
        See :class:`ZipLimits`.
    suffixes
        Extract only members ending in one of these (lower-case); all when ``None``.

    Returns
    -------
    list of Path
        The extracted files. Folders inside the archive are flattened; a second member with
        the same file name is refused rather than overwriting the first.
    """
    members = check_zip(path, limits=limits)
    out: list[Path] = []
    written = 0
    with zipfile.ZipFile(path) as archive:
        for info, name in members:
            base = PurePosixPath(name.replace("\\", "/")).name
            if suffixes is not None and not base.lower().endswith(suffixes):
                continue
            target = dest / base
            if target.exists():
                raise InputFileError("error.survey.zip_twice", name=path.name, member=base)
            try:
                written += _copy_member(archive, info, target, limits.max_total_bytes - written)
            except InputFileError as exc:
                raise InputFileError("error.survey.in_zip", name=path.name, error=exc) from None
            except (zipfile.BadZipFile, EOFError, OSError) as exc:
                raise InputFileError(
                    "error.survey.zip_damaged", name=path.name, member=name, detail=str(exc)
                ) from exc
            out.append(target)
    log.debug("Extracted %d files (%d bytes) from %s", len(out), written, path.name)
    return out
