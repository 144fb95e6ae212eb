"""The project's own test screens, drawn with Pillow (no scam kit is copied).

Each function returns a 1366x768 RGB image laid out like the screens Vigie meets:
a locker (saturated blue page, white dialog, white-on-dark header, a toll-free number
in a framed box), and a plain documentation page. Phone numbers are invented ones from
ranges reserved for fiction/tests (US 555-01xx, FR 01 99 00 xx xx).
"""
from __future__ import annotations

import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for d in FONT_DIRS:
        if (d / name).is_file():
            return ImageFont.truetype(str(d / name), size)
    return ImageFont.load_default(size)


LOCKER = {
    "en": dict(header="Windows Defender Security Center",
               title="Access to this PC has been blocked for security reasons",
               lines=["Your computer has been infected with a Trojan spyware.",
                      "Your passwords and credit card details may be stolen.",
                      "Do not restart or shut down your computer.",
                      "Call Microsoft Support immediately (toll free):"],
               phone="+1-800-555-0199", code="Error code: 0x80072EE7"),
    "fr": dict(header="Centre de sécurité Windows Defender",
               title="L'accès à cet ordinateur a été bloqué pour des raisons de sécurité",
               lines=["Votre ordinateur est infecté par un cheval de Troie.",
                      "Vos mots de passe et votre carte bancaire sont en danger.",
                      "Ne redémarrez pas et n'éteignez pas votre ordinateur.",
                      "Appelez immédiatement le support Microsoft (numéro gratuit) :"],
               phone="0 800 55 01 99", code="Code d'erreur : 0x80072EE7"),
}


def locker(lang: str = "en") -> Image.Image:
    t = LOCKER[lang]
    img = Image.new("RGB", (1366, 768), (0, 90, 190))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, 1366, 60), fill=(20, 20, 30))
    d.text((24, 14), t["header"], font=font(26, True), fill="white")            # white on dark
    title = textwrap.wrap(t["title"], 60)
    for i, line in enumerate(title[:2]):                                          # white on blue
        d.text((60, 78 + 40 * i), line, font=font(28, True), fill="white")
    d.rectangle((283, 170, 1083, 660), fill="white", outline=(80, 80, 80), width=2)
    y = 210
    for line in t["lines"]:
        d.text((320, y), line, font=font(21), fill=(20, 20, 20))
        y += 48
    d.text((320, y + 10), t["code"], font=font(21), fill=(200, 0, 0))
    # the number in a framed box, as lockers draw it
    d.rectangle((470, 520, 900, 590), outline=(0, 60, 160), width=3)
    d.text((495, 532), t["phone"], font=font(36, True), fill=(0, 60, 160))
    return img


DOC = {
    "en": ["Securing your computer", "A firewall filters network traffic. Keep your system updated.",
           "Viruses and other malware are less common on Linux, but backups matter.",
           "Passwords should be long and unique; a password manager helps.",
           "For help, read the manual or ask on the mailing list."],
    "fr": ["Sécuriser votre ordinateur", "Un pare-feu filtre le trafic réseau. Gardez le système à jour.",
           "Les virus et logiciels malveillants sont rares sous Linux, mais sauvegardez.",
           "Les mots de passe doivent être longs et uniques.",
           "Pour de l'aide, lisez le manuel ou écrivez à la liste de diffusion."],
}


def doc_page(lang: str = "en") -> Image.Image:
    img = Image.new("RGB", (1366, 768), "white")
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, 1366, 50), fill=(40, 40, 40))
    d.text((20, 12), "Documentation", font=font(22, True), fill="white")
    y = 90
    for i, line in enumerate(DOC[lang]):
        d.text((80, y), line, font=font(30 if i == 0 else 20, i == 0), fill=(30, 30, 30))
        y += 70 if i == 0 else 40
    return img


def save(img: Image.Image, path: Path) -> Path:
    img.save(path)
    return path
