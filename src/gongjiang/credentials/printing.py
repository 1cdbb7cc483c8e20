"""The printable certificate: an A4 PDF with the certificate's facts and a QR code of its share
link, made offline (fpdf2, segno) with the Noto CJK fonts of the machine (fonts-noto-cjk)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import segno
from django.utils.translation import gettext as _
from fpdf import FPDF

from gongjiang.credentials.documents import LEVEL_NAMES
from gongjiang.credentials.models import Certificate, CertificateKind

FONT_CANDIDATES = (
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)


class FontMissingError(RuntimeError):
    """No CJK font on this machine: the PDF cannot be made (install fonts-noto-cjk)."""


def _font() -> Path:
    for path in FONT_CANDIDATES:
        if path.exists():
            return path
    raise FontMissingError(_("服务器未安装中文字体（fonts-noto-cjk），无法生成 PDF。"))


def certificate_pdf(certificate: Certificate, link: str) -> bytes:
    """One page: title, holder, what was achieved, issuer, number, date, and the QR code of `link`."""
    document: dict[str, Any] = certificate.credential
    achievement = document["credentialSubject"]["achievement"]
    pdf = FPDF(format="A4")
    pdf.set_title(f"{document['name']} {certificate.number}")
    pdf.add_font("cjk", fname=str(_font()), collection_font_number=2)  # 2: the Simplified Chinese face
    pdf.add_page()
    pdf.set_font("cjk", size=28)
    pdf.cell(0, 30, document["name"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=14)
    rows = [(_("持证人"), certificate.holder.name), (_("证书内容"), achievement["name"])]
    if certificate.kind == CertificateKind.SKILL and certificate.skill_level:
        rows.append((_("职业技能等级"), LEVEL_NAMES[certificate.skill_level]))
    rows += [
        (_("发证机构"), document["issuer"]["name"]),
        (_("证书编号"), certificate.number),
        (_("发证日期"), certificate.valid_from.date().isoformat()),
    ]
    for label, value in rows:
        pdf.cell(45, 12, label)
        pdf.multi_cell(0, 12, str(value), new_x="LMARGIN", new_y="NEXT")
    image = io.BytesIO()
    segno.make(link, error="m").save(image, kind="png", scale=6, border=2)
    image.seek(0)
    pdf.image(image, x=80, y=170, w=50)
    pdf.set_y(225)
    pdf.set_font("cjk", size=10)
    pdf.multi_cell(0, 6, _("扫描二维码核验本证书（电子证书经数字签名，任何人可离线核验）。"), align="C")
    return bytes(pdf.output())
