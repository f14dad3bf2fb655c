"""common.files: the name, extension and content sniffing the attachment services share."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from common.files import TEXT_SAMPLE_BYTES, content_matches, upload_name

PDF = (b"%PDF",)
IMAGES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("签到表.PNG", ("签到表.PNG", "png")),
        ("report.final.pdf", ("report.final.pdf", "pdf")),
        ("README", ("README", "")),
        ("C:\\Users\\li\\述职.docx", ("述职.docx", "docx")),
    ],
)
def test_upload_name_and_extension(name, expected):
    upload = SimpleUploadedFile("x", b"")
    upload.name = name  # as a client may send it, path and all
    assert upload_name(upload) == expected


def test_the_first_bytes_must_be_what_the_type_promises():
    assert content_matches(SimpleUploadedFile("a.pdf", b"%PDF-1.7 ..."), PDF)
    assert not content_matches(SimpleUploadedFile("a.pdf", b"MZ\x90\x00"), PDF)
    assert content_matches(SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n...."), IMAGES)
    assert not content_matches(SimpleUploadedFile("a.png", b"\x89PNG"), IMAGES)  # shorter than the signature
    assert not content_matches(SimpleUploadedFile("a.pdf", b""), PDF)


def test_the_file_is_left_at_its_start_for_saving():
    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.7 body")
    upload.read(3)
    assert content_matches(upload, PDF)
    assert upload.read() == b"%PDF-1.7 body"


def test_text_must_read_as_utf8():
    assert content_matches(SimpleUploadedFile("a.txt", "述职报告\n".encode()), None)
    assert not content_matches(SimpleUploadedFile("a.txt", "述职报告".encode("gbk")), None)
    assert not content_matches(SimpleUploadedFile("a.txt", b"\xd0\xcf\x11\xe0\xa1\xb1"), None)


def test_a_character_cut_by_the_sample_is_not_an_error():
    text = ("ab" + "党" * TEXT_SAMPLE_BYTES).encode()  # 3-byte characters: one straddles the sample's end
    with pytest.raises(UnicodeDecodeError):
        text[:TEXT_SAMPLE_BYTES].decode("utf-8")
    upload = SimpleUploadedFile("long.txt", text)
    assert content_matches(upload, None)
    assert upload.read() == text
