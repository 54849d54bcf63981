"""What an uploaded evidence file really is, by its content (magic bytes), never by its name.

Accepted: PDF, PNG, JPEG, GIF, WebP; Office Open XML documents (.docx/.xlsx/.pptx: a zip with
``[Content_Types].xml`` and a ``word/``, ``xl/`` or ``ppt/`` part); OpenDocument (.odt/.ods/
.odp: a zip whose ``mimetype`` entry names the type); old Office files (OLE compound files:
.doc/.xls/.ppt). Anything else — an executable renamed to .pdf, a script, an archive — is
refused. Pure Python, no dependency.
"""

import hashlib
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
ODF = {
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
}
OLE = "application/x-ole-storage"
# The extension a stored file is offered with (the detected type decides, not the upload).
EXTENSIONS = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    OLE: None,  # .doc / .xls / .ppt: keep the uploaded extension if it is one of those
    **{ct: ext for ct, ext in zip(OOXML.values(), ("docx", "xlsx", "pptx"), strict=True)},
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
OLE_EXTENSIONS = {"doc", "xls", "ppt"}
MAX_FILES = 5


@dataclass(frozen=True)
class Checked:
    name: str
    content_type: str
    size: int
    sha256: str


def _zip_type(file) -> str | None:
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                kind = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                return kind if kind in ODF else None
            if "[Content_Types].xml" in names:
                for prefix, content_type in OOXML.items():
                    if any(n.startswith(prefix) for n in names):
                        return content_type
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
        return None
    return None


def sniff(file) -> str | None:
    """The content type of ``file`` (a file-like object) when it is an accepted kind."""
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(file)
    return None


def max_bytes() -> int:
    return settings.EVIDENCE_MAX_UPLOAD_MB * 1024 * 1024


def download_name(original: str, content_type: str) -> str:
    """The original name with the extension of what the file really is."""
    stem, dot, ext = original.rpartition(".")
    if not dot:
        stem, ext = original, ""
    wanted = EXTENSIONS.get(content_type)
    if wanted is None:
        wanted = ext.lower() if ext.lower() in OLE_EXTENSIONS else "doc"
    return f"{stem or 'bukti'}.{wanted}"


def check_upload(upload) -> Checked:
    """Validate one uploaded file: size and type by content. Raises ``ValidationError``."""
    name = (upload.name or "bukti").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    if upload.size > max_bytes():
        raise ValidationError(
            _("“%(name)s” is larger than %(mb)d MB.")
            % {"name": name, "mb": settings.EVIDENCE_MAX_UPLOAD_MB}
        )
    if upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    content_type = sniff(upload)
    if content_type is None:
        raise ValidationError(
            _(
                "“%(name)s” is not a PDF, an image (PNG, JPEG, GIF, WebP) or an office "
                "document: its content was checked, not its name."
            )
            % {"name": name}
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return Checked(
        name=name, content_type=content_type, size=upload.size, sha256=digest.hexdigest()
    )
