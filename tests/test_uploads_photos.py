"""Photo ingest (intake.uploads.photos, intake.uploads.handlers) on real Postgres and a real
encrypted media store: what is stored is a clean re-encoded JPEG, or nothing at all."""

from __future__ import annotations

import hashlib
import io
import os
import struct
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile
from django.db import DatabaseError
from django.test import RequestFactory
from django.utils import timezone
from PIL import ExifTags, Image, ImageCms
from pytest_django.fixtures import Settings as SettingsWrapper

from intake.mediastore.django import get_store
from intake.models import Patient, Photo, PhotoKind, Visit
from intake.states import VisitStatus
from intake.uploads.errors import UploadRefused
from intake.uploads.handlers import TooLargeUpload, photo_upload_handlers
from intake.uploads.photos import clean_photo, save_photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def front_desk(db: None) -> User:
    # No password: hashing one costs half a second per test and these tests never log in.
    return User.objects.create(username="desk-photos")


@pytest.fixture
def visit(media: Path) -> Visit:
    patient = Patient.objects.create(name="Photo Test")
    return Visit.objects.create(patient=patient)


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def encode(image: Image.Image, fmt: str = "JPEG", **params: object) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format=fmt, **params)
    return buf.getvalue()


def two_halves(width: int = 40, height: int = 20) -> Image.Image:
    """Red left half, blue right half: orientation shows in where the red ends up."""
    image = Image.new("RGB", (width, height), (255, 0, 0))
    image.paste((0, 0, 255), (width // 2, 0, width, height))
    return image


def rgb_at(image: Image.Image, x: int, y: int) -> tuple[int, ...]:
    pixel = image.getpixel((x, y))
    assert isinstance(pixel, tuple)
    return pixel


def stored_bytes(photo: Photo) -> bytes:
    with get_store().open(photo.media_name) as f:
        return f.read()


def jpeg_markers(data: bytes) -> list[int]:
    """The markers of a JPEG's header segments, up to the first scan."""
    assert data[:2] == b"\xff\xd8"
    markers, i = [], 2
    while True:
        marker = data[i + 1]
        markers.append(marker)
        if marker == 0xDA:
            return markers
        i += 2 + int.from_bytes(data[i + 2 : i + 4], "big")


def clean(data: bytes, max_bytes: int = 10 * 1024 * 1024, max_pixels: int = 40_000_000):
    return clean_photo(io.BytesIO(data), max_bytes=max_bytes, max_pixels=max_pixels)


# --- metadata and orientation ------------------------------------------------------------------


def test_it_strips_exif_gps_xmp_icc_and_comments(visit: Visit, front_desk: User) -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SecretCam-SN-12345"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (40.0, 26.0, 46.0)
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    source = encode(
        two_halves(400, 300),
        exif=exif,
        comment=b"SECRET-COMMENT",
        xmp=b"<x:xmpmeta>SECRET-XMP</x:xmpmeta>",
        icc_profile=srgb,
    )
    with Image.open(io.BytesIO(source)) as original:  # the test input really carries them
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert "icc_profile" in original.info

    photo = save_photo(visit.pk, io.BytesIO(source), "wound", front_desk)

    data = stored_bytes(photo)
    for secret in (b"SecretCam", b"SECRET-COMMENT", b"SECRET-XMP", b"Exif\x00\x00", b"ICC_PROFILE"):
        assert secret not in data
    # Only the JFIF header, tables and the frame: no APPn (EXIF, XMP, ICC) and no COM segment.
    assert set(jpeg_markers(data)) <= {0xE0, 0xDB, 0xC4, 0xC0, 0xDD, 0xDA}
    with Image.open(io.BytesIO(data)) as stored:
        assert not stored.getexif()
        assert "icc_profile" not in stored.info
        assert "xmp" not in stored.info
        assert stored.format == "JPEG"


def test_it_applies_exif_orientation_before_stripping_it(visit: Visit, front_desk: User) -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # stored sideways, "rotate 90 clockwise to view"
    source = encode(two_halves(400, 200), exif=exif, quality=95)

    photo = save_photo(visit.pk, io.BytesIO(source), "rash", front_desk)

    assert (photo.width, photo.height) == (200, 400)
    with Image.open(io.BytesIO(stored_bytes(photo))) as stored:
        assert stored.size == (200, 400)
        assert ExifTags.Base.Orientation not in stored.getexif()
        top, bottom = rgb_at(stored, 100, 20), rgb_at(stored, 100, 380)
    assert top[0] > 200 and top[2] < 60  # red on top
    assert bottom[2] > 200 and bottom[0] < 60


def s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def rgb_profile(red: tuple[float, ...], green: tuple[float, ...], blue: tuple[float, ...]) -> bytes:
    """A minimal ICC v2 matrix/TRC display profile with the given (D50) primaries."""

    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ " + bytes(4) + s15(x) + s15(y) + s15(z)

    gamma = b"curv" + bytes(4) + struct.pack(">IH", 1, round(2.2 * 256)) + bytes(2)
    tags = [
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(*red)),
        (b"gXYZ", xyz(*green)),
        (b"bXYZ", xyz(*blue)),
        (b"rTRC", gamma),
        (b"gTRC", gamma),
        (b"bTRC", gamma),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for signature, data in tags:
        table += signature + struct.pack(">II", offset + len(body), len(data))
        body += data + bytes(-len(data) % 4)
    header = (
        struct.pack(">I", offset + len(body))
        + bytes(4)
        + struct.pack(">I", 0x02100000)
        + b"mntrRGB XYZ "
        + bytes(12)
        + b"acsp"
        + bytes(28)
        + s15(0.9642)
        + s15(1.0)
        + s15(0.8249)
        + bytes(48)
    )
    return header + struct.pack(">I", len(tags)) + table + body


SRGB_RED, SRGB_GREEN, SRGB_BLUE = (
    (0.4361, 0.2225, 0.0139),
    (0.3851, 0.7169, 0.0971),
    (0.1431, 0.0606, 0.7141),
)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_it_converts_to_srgb_before_dropping_the_colour_profile(fmt: str) -> None:
    # A profile whose "red" primary is sRGB's green: a pixel stored as (200, 30, 30) is green.
    swapped = rgb_profile(SRGB_GREEN, SRGB_RED, SRGB_BLUE)
    source = encode(Image.new("RGB", (32, 32), (200, 30, 30)), fmt, icc_profile=swapped)

    result = clean(source)

    with Image.open(io.BytesIO(result.data)) as out:
        assert "icc_profile" not in out.info
        red, green, blue = rgb_at(out, 16, 16)
    assert green > 180 and red < 60 and blue < 60


def test_it_keeps_the_photo_when_its_colour_profile_is_broken() -> None:
    source = encode(Image.new("RGB", (32, 32), (200, 30, 30)), "PNG", icc_profile=b"junk" * 40)
    with Image.open(io.BytesIO(clean(source).data)) as out:
        assert rgb_at(out, 16, 16)[0] > 180


# --- re-encoding -------------------------------------------------------------------------------


def test_it_reencodes_to_a_downsized_jpeg_and_records_it(
    visit: Visit, front_desk: User, settings: SettingsWrapper
) -> None:
    settings.PHOTO_MAX_EDGE = 2560
    source = encode(two_halves(4000, 1000), "PNG")

    photo = save_photo(visit.pk, io.BytesIO(source), "document", front_desk)

    data = stored_bytes(photo)
    assert data.startswith(b"\xff\xd8\xff") and data.endswith(b"\xff\xd9")
    assert (photo.width, photo.height) == (2560, 640)
    assert photo.content_type == "image/jpeg"
    assert photo.size == len(data)
    assert photo.sha256 == hashlib.sha256(data).hexdigest()
    assert photo.kind == PhotoKind.DOCUMENT
    assert photo.created_by_id == front_desk.pk
    assert photo.media_name.startswith("photos/")
    with Image.open(io.BytesIO(data)) as stored:
        assert stored.size == (2560, 640)
        assert stored.mode == "RGB"


def test_it_downsizes_a_large_jpeg_through_the_decoder_draft() -> None:
    result = clean(encode(two_halves(6000, 4000), quality=80))
    assert (result.width, result.height) == (2560, 1707)


def test_it_keeps_small_photos_at_their_size() -> None:
    result = clean(encode(two_halves(640, 480), "WEBP"))
    assert (result.width, result.height) == (640, 480)
    assert result.content_type == "image/jpeg"


def cmyk_jpeg() -> bytes:
    return encode(two_halves().convert("CMYK"))


def palette_png_with_transparency() -> bytes:
    image = two_halves().convert("P")
    return encode(image, "PNG", transparency=0)


@pytest.mark.parametrize(
    "make",
    [
        lambda: encode(two_halves(), progressive=True),
        lambda: encode(two_halves(160, 120), restart_marker_blocks=1),
        lambda: encode(two_halves(), subsampling=0, quality=100),
        lambda: encode(two_halves(), comment=b"\xff\xd9 an end marker inside a comment"),
        lambda: encode(two_halves().convert("L")),
        cmyk_jpeg,
        palette_png_with_transparency,
        lambda: encode(two_halves().convert("1"), "PNG"),
        lambda: encode(two_halves().convert("LA"), "PNG"),
        lambda: encode(two_halves(), "WEBP", lossless=True),
        lambda: encode(two_halves().convert("RGBA"), "WEBP"),
    ],
    ids=[
        "progressive",
        "restart-markers",
        "444",
        "eoi-in-comment",
        "grey-jpeg",
        "cmyk-jpeg",
        "palette-png",
        "bilevel-png",
        "grey-alpha-png",
        "lossless-webp",
        "rgba-webp",
    ],
)
def test_it_accepts_what_cameras_and_screenshots_produce(make) -> None:
    result = clean(make())
    with Image.open(io.BytesIO(result.data)) as out:
        assert (out.format, out.mode) == ("JPEG", "RGB")
        assert out.size == (result.width, result.height)


def test_it_puts_transparency_on_white() -> None:
    image = Image.new("RGBA", (20, 20), (0, 0, 0, 0))
    image.paste((0, 0, 0, 255), (0, 0, 10, 20))
    result = clean(encode(image, "PNG"))
    with Image.open(io.BytesIO(result.data)) as out:
        assert out.getpixel((15, 10)) == pytest.approx((255, 255, 255), abs=3)
        assert out.getpixel((3, 10)) == pytest.approx((0, 0, 0), abs=3)


def test_it_scales_sixteen_bit_grey_instead_of_clipping_it() -> None:
    image = Image.new("I;16", (16, 16), 32768)  # mid grey in 16 bits
    result = clean(encode(image, "PNG"))
    with Image.open(io.BytesIO(result.data)) as out:
        assert out.getpixel((8, 8)) == pytest.approx((128, 128, 128), abs=3)


def test_pillows_own_bomb_warning_never_lets_an_image_through(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Even with PHOTO_MAX_PIXELS set above Pillow's global limit, an image Pillow warns about
    # (DecompressionBombWarning) is refused, as if the warning were an error.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    source = encode(Image.new("RGB", (40, 40)), "PNG")  # 1600 px: warns, below 2x the limit
    with pytest.warns(Image.DecompressionBombWarning), pytest.raises(UploadRefused) as refused:
        clean(source, max_pixels=40_000_000)
    assert (refused.value.code, refused.value.status) == ("photo_too_many_pixels", 413)


# --- per visit limits and states ---------------------------------------------------------------


def test_it_limits_photos_per_visit_but_not_removed_ones(
    visit: Visit, front_desk: User, media: Path, settings: SettingsWrapper
) -> None:
    settings.PHOTO_MAX_PER_VISIT = 2
    source = encode(two_halves())
    first = save_photo(visit.pk, io.BytesIO(source), "other", front_desk)
    save_photo(visit.pk, io.BytesIO(source), "other", front_desk)
    files = files_under(media)

    with pytest.raises(UploadRefused) as refused:
        save_photo(visit.pk, io.BytesIO(source), "other", front_desk)
    assert (refused.value.code, refused.value.status) == ("photo_limit", 409)
    assert "2 photos" in refused.value.message
    assert files_under(media) == files
    assert Photo.objects.filter(visit=visit).count() == 2

    Photo.objects.filter(pk=first.pk).update(deleted_at=timezone.now())
    save_photo(visit.pk, io.BytesIO(source), "other", front_desk)
    assert Photo.objects.filter(visit=visit, deleted_at__isnull=True).count() == 2


@pytest.mark.parametrize(
    "status",
    [VisitStatus.REVIEWED, VisitStatus.ROOMED, VisitStatus.DISCHARGED, VisitStatus.CANCELLED],
)
def test_it_refuses_photos_once_a_visit_is_closed_to_the_desk(
    visit: Visit, front_desk: User, media: Path, status: VisitStatus
) -> None:
    Visit.objects.filter(pk=visit.pk).update(status=status.value)
    with pytest.raises(UploadRefused) as refused:
        save_photo(visit.pk, io.BytesIO(encode(two_halves())), "wound", front_desk)
    assert (refused.value.code, refused.value.status) == ("visit_locked", 409)
    assert files_under(media) == []
    assert not Photo.objects.exists()


@pytest.mark.parametrize(
    "status", [VisitStatus.DRAFT, VisitStatus.TRANSCRIBING, VisitStatus.READY, VisitStatus.FAILED]
)
def test_it_accepts_photos_until_a_nurse_reviews(
    visit: Visit, front_desk: User, status: VisitStatus
) -> None:
    Visit.objects.filter(pk=visit.pk).update(status=status.value)
    photo = save_photo(visit.pk, io.BytesIO(encode(two_halves())), "wound", front_desk)
    assert photo.visit_id == visit.pk


def test_it_refuses_a_visit_that_does_not_exist(media: Path, front_desk: User) -> None:
    with pytest.raises(UploadRefused) as refused:
        save_photo(987654, io.BytesIO(encode(two_halves())), "wound", front_desk)
    assert (refused.value.code, refused.value.status) == ("visit_missing", 404)


def test_a_failed_database_write_leaves_no_file(
    visit: Visit, front_desk: User, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_create(**kwargs: object) -> Photo:
        raise DatabaseError("disk full")

    monkeypatch.setattr(Photo.objects, "create", broken_create)
    with pytest.raises(DatabaseError):
        save_photo(visit.pk, io.BytesIO(encode(two_halves())), "wound", front_desk)
    assert files_under(media) == []


# --- the upload handler ------------------------------------------------------------------------


def multipart_request(payload: bytes, *, max_bytes: int, settings: SettingsWrapper):
    settings.PHOTO_MAX_BYTES = max_bytes
    upload = SimpleUploadedFile("IMG_0001.jpg", payload, content_type="image/jpeg")
    request = RequestFactory().post("/upload", {"kind": "wound", "photo": upload})
    request.upload_handlers = photo_upload_handlers(request)
    return request


def test_the_handler_keeps_a_photo_in_memory(
    visit: Visit, front_desk: User, settings: SettingsWrapper
) -> None:
    source = encode(two_halves(300, 200))
    request = multipart_request(source, max_bytes=len(source), settings=settings)

    upload = request.FILES["photo"]
    assert isinstance(upload, InMemoryUploadedFile)  # never a TemporaryUploadedFile in /tmp
    assert request.POST["kind"] == "wound"
    assert upload.size == len(source)
    photo = save_photo(visit.pk, upload, request.POST["kind"], front_desk)
    assert (photo.width, photo.height) == (300, 200)


def test_the_handler_drops_an_oversized_photo_while_it_streams(
    visit: Visit, front_desk: User, media: Path, settings: SettingsWrapper
) -> None:
    source = os.urandom(400 * 1024)
    request = multipart_request(source, max_bytes=100 * 1024, settings=settings)

    upload = request.FILES["photo"]
    (handler,) = request.upload_handlers
    assert isinstance(upload, TooLargeUpload)
    assert upload.size == len(source)
    assert handler.kept <= 100 * 1024  # bytes held in memory never passed the limit
    assert request.POST["kind"] == "wound"  # the form still parses: the view can answer 413
    with pytest.raises(UploadRefused) as refused:
        save_photo(visit.pk, upload, "wound", front_desk)
    assert (refused.value.code, refused.value.status) == ("photo_too_large", 413)
    assert "100 KB limit" in refused.value.message
    assert files_under(media) == []
