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


# --- screens for the failure shapes of issue #11 and the ClickFix page of #13 ------------

def dashboard_locker() -> Image.Image:
    """A fake security *dashboard*: no threat sentence, a brand, counters, a big toll-free
    number and "call" (the kind of page the old hard gates let through)."""
    img = Image.new("RGB", (1366, 768), (243, 243, 243))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, 260, 768), fill=(230, 230, 230))
    for i, item in enumerate(["Home", "Virus & threat protection", "Firewall", "App control", "Device security"]):
        d.text((20, 80 + 44 * i), item, font=font(17, i == 1), fill=(30, 30, 30))
    d.text((300, 30), "Windows Security", font=font(34, True), fill=(20, 20, 20))
    d.text((300, 90), "Virus & threat protection", font=font(24), fill=(20, 20, 20))
    d.rectangle((300, 150, 760, 330), fill="white")
    d.text((320, 170), "Current threats", font=font(20, True), fill=(20, 20, 20))
    d.text((320, 210), "Threats found: 5", font=font(28, True), fill=(200, 30, 30))
    d.text((320, 260), "Quick scan    Full scan", font=font(18), fill=(0, 90, 180))
    d.rectangle((800, 150, 1300, 420), fill=(0, 100, 200))
    d.text((830, 175), "Microsoft Defender Helpline", font=font(24, True), fill="white")
    d.text((830, 230), "Call Microsoft Support (Toll Free)", font=font(20), fill="white")
    d.text((830, 290), "+1-844-555-0123", font=font(44, True), fill="white")
    return img


def dimmed_number_locker() -> Image.Image:
    """The number is only in the page *behind* a dialog, dimmed by a dark overlay."""
    base = Image.new("RGB", (1366, 768), "white")
    d = ImageDraw.Draw(base)
    d.text((60, 40), "Microsoft Windows Support", font=font(30, True), fill=(0, 80, 170))
    d.text((60, 620), "Call Support: 1-877-555-0163", font=font(40, True), fill=(0, 80, 170))
    d.text((60, 690), "Toll Free - available 24/7", font=font(22), fill=(60, 60, 60))
    dark = Image.new("RGB", base.size, (0, 0, 0))
    img = Image.blend(base, dark, 0.6)                      # the page behind, dimmed to 40 %
    d = ImageDraw.Draw(img)
    d.rectangle((383, 160, 983, 480), fill="white", outline=(120, 120, 120), width=2)
    d.text((413, 190), "Windows Defender - Security Warning", font=font(22, True), fill=(190, 20, 20))
    for i, line in enumerate(["Your computer has been infected with a virus.",
                              "Access to this PC has been blocked.",
                              "Do not restart your computer.",
                              "Call the number below immediately."]):
        d.text((413, 250 + 44 * i), line, font=font(20), fill=(20, 20, 20))
    return img


def article(title: str, byline: str, paragraphs: list[str], size: int = 19) -> Image.Image:
    """A plain article page: host bar, title, byline, paragraphs of prose."""
    img = Image.new("RGB", (1366, 768), "white")
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, 1366, 44), fill=(235, 235, 235))
    d.text((20, 12), "www.example-news.org", font=font(16), fill=(60, 60, 60))
    y = 70
    for line in textwrap.wrap(title, 60):
        d.text((120, y), line, font=font(30, True), fill=(20, 20, 20))
        y += 42
    d.text((120, y + 4), byline, font=font(15), fill=(110, 110, 110))
    y += 44
    for para in paragraphs:
        for line in textwrap.wrap(para, 110):
            d.text((120, y), line, font=font(size), fill=(30, 30, 30))
            y += size + 9
        y += 14
    return img


def press_release_fr() -> Image.Image:
    return article(
        "Fraude au faux support technique : Microsoft et Amazon s'associent à la police",
        "Communiqué de presse — Paris, le 14 octobre 2026",
        ["Les deux entreprises annoncent une coopération renforcée avec les enquêteurs pour démanteler les centres "
         "d'appels frauduleux qui usurpent leur identité. Selon le rapport publié ce jour, les victimes sont surtout "
         "des personnes âgées, à qui les escrocs affichent de faux messages d'alerte avant de leur demander "
         "d'appeler un prétendu support technique.",
         "En 2025, plus de 12 000 signalements d'usurpation d'identité ont été reçus. Les enquêteurs ont identifié "
         "plusieurs réseaux opérant depuis l'étranger, qui facturaient de fausses réparations à leurs victimes.",
         "Les entreprises rappellent qu'elles n'affichent jamais de numéro de téléphone dans un message d'erreur. "
         "Contact presse : service communication."])


def dates_page() -> Image.Image:
    """A forum/help page full of dates, times and a case number that look like numbers."""
    return article(
        "Suivi de votre demande",
        "Mis à jour le 21/11/2026 09:14",
        ["Dossier n° 2024/8812 ouvert le 24/06/2023 - 20 h 05. Dernière connexion le 21/11/2026 09 depuis "
         "l'adresse 192.168.10.254.",
         "Votre demande de remboursement de frais de transport a été transmise au service compétent. Vous "
         "recevrez une réponse par courrier dans un délai de trois semaines."])


def with_vigie_notification(img: Image.Image, lang: str = "en") -> Image.Image:
    """``img`` with Vigie's own notification drawn over its top-right corner (what a
    capture sees while the notification is up)."""
    text = {"en": ("Vigie", "This is a scam", "Do not call the number. Do not pay.", "Restart the computer."),
            "fr": ("Vigie", "C'est une arnaque", "N'appelez pas le numéro. Ne payez rien.",
                   "Redémarrez l'ordinateur.")}[lang]
    img = img.copy()
    d = ImageDraw.Draw(img)
    d.rectangle((936, 70, 1346, 200), fill=(40, 40, 40))
    d.text((956, 82), text[0], font=font(16, True), fill="white")
    d.text((956, 108), text[1], font=font(18, True), fill="white")
    d.text((956, 140), text[2], font=font(16), fill="white")
    d.text((956, 166), text[3], font=font(16), fill="white")
    return img


CLICKFIX = {
    "en": ("Verify you are human", "Complete these verification steps:",
           ["1. Press Windows + R", "2. Press Ctrl + V", "3. Press Enter"], "I'm not a robot"),
    "fr": ("Vérifiez que vous êtes humain", "Terminez les étapes de vérification :",
           ["1. Appuyez sur Windows + R", "2. Appuyez sur Ctrl + V", "3. Appuyez sur Entrée"],
           "Je ne suis pas un robot"),
}


def clickfix(lang: str = "en") -> Image.Image:
    """A fake CAPTCHA that tells the person to open the Run box and paste."""
    title, intro, steps, robot = CLICKFIX[lang]
    img = Image.new("RGB", (1366, 768), (250, 250, 250))
    d = ImageDraw.Draw(img)
    d.rectangle((433, 150, 933, 560), fill="white", outline=(200, 200, 200), width=2)
    d.text((463, 180), title, font=font(26, True), fill=(30, 30, 30))
    d.text((463, 240), intro, font=font(18), fill=(50, 50, 50))
    for i, step in enumerate(steps):
        d.text((483, 290 + 46 * i), step, font=font(22, True), fill=(20, 20, 20))
    d.rectangle((463, 460, 493, 490), outline=(120, 120, 120), width=2)
    d.text((510, 462), robot, font=font(20), fill=(30, 30, 30))
    return img


_PHONE_LIKE = __import__("re").compile(r"\d[\d ()+.-]{7,}\d")


def fixture_screen(text: str, family: str) -> Image.Image:
    """One of the text fixtures drawn as a screen: lockers and fake CAPTCHAs as a dialog
    (title in large type, a phone number larger still), everything else (mails, articles,
    notes) as a plain page of prose."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if family not in ("tss", "clickfix"):
        return article(lines[0], "", lines[1:], size=18)
    img = Image.new("RGB", (1366, 768), (0, 84, 166) if family == "tss" else (245, 245, 245))
    d = ImageDraw.Draw(img)
    d.rectangle((233, 90, 1133, 680), fill="white", outline=(90, 90, 90), width=2)
    y = 120
    for i, line in enumerate(lines):
        big = bool(_PHONE_LIKE.search(line))
        f = font(32 if big else (28 if i == 0 else 21), big or i == 0)
        for part in textwrap.wrap(line, 46 if (big or i == 0) else 70):
            d.text((263, y), part, font=f, fill=(200, 20, 20) if big else (20, 20, 20))
            y += (f.size + 14)
    return img


def security_template(title: str, lines: list[str], dark: bool = True) -> Image.Image:
    """The minimal fake-scan page of a locker kit (or a real security app's scan screen:
    the drawing is the same, only where it is shown differs): a title in bold and a line
    or two in a small card in the middle of an empty screen."""
    img = Image.new("RGB", (1366, 768), (12, 12, 14) if dark else (250, 250, 250))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((403, 234, 963, 534), 10, fill=(28, 28, 30) if dark else (255, 255, 255),
                        outline=(120, 120, 200))
    ink = (240, 240, 240) if dark else (20, 20, 20)
    d.text((683, 276), title, font=font(26, True), fill=ink, anchor="mm")
    for i, line in enumerate(lines):
        d.text((683, 322 + 40 * i), line, font=font(17), fill=ink, anchor="mm")
    return img


# --- pages for issue 21, drawn by real Chromium (tests/chromium.screenshot) ---------------

def locker_html(text: str, lang: str) -> str:
    """A locker page in any language and script (right-to-left for Arabic, Hebrew): the
    first line as its title, a line with a phone number in large red type, the rest as
    sentences in a white dialog on a blue page (Chromium shapes every script)."""
    import html  # noqa: PLC0415
    lines = [ln for ln in text.splitlines() if ln.strip()]
    body = []
    for i, line in enumerate(lines[1:]):
        cls = "phone" if _PHONE_LIKE.search(line) and sum(c.isdigit() for c in line) >= 8 else "line"
        body.append(f'<p class="{cls}" dir="ltr">{html.escape(line)}</p>' if cls == "phone"
                    else f'<p class="{cls}">{html.escape(line)}</p>')
    rtl = "rtl" if lang in ("ar", "he", "fa") else "ltr"
    return (f'<!DOCTYPE html><html lang="{lang}" dir="{rtl}"><head><meta charset="utf-8"><style>'
            'body{margin:0;background:#0a5bc4;font-family:"DejaVu Sans",sans-serif}'
            '.d{background:#fff;width:900px;margin:60px auto;padding:26px 40px;border:2px solid #c00}'
            'h1{color:#c00;font-size:32px;margin:0 0 14px}.line{font-size:23px;margin:10px 0;color:#222}'
            '.phone{font-size:40px;font-weight:bold;color:#c00;text-align:center;margin:22px 0;white-space:nowrap}'
            f'</style></head><body><div class="d"><h1>{html.escape(lines[0])}</h1>{"".join(body)}</div></body></html>')


def slide_about_scams_html() -> str:
    """A slide of a talk about scams in presentation mode (fullscreen): its title, an example
    locker shown small inside a frame, and the speaker's advice and slide footer."""
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><style>'
            'body{margin:0;background:#fdfaf3;font-family:"DejaVu Sans",sans-serif;color:#222}'
            'h1{font-size:40px;margin:34px 60px 10px}.row{display:flex;margin:0 60px}'
            '.ex{width:520px;height:300px;border:6px solid #999;background:#0a5bc4;padding:14px;box-sizing:border-box}'
            '.ex .w{background:#fff;padding:10px;font-size:15px}.ex b{color:#c00}'
            'ul{font-size:24px;line-height:1.5;margin-left:30px;width:560px}'
            '.foot{position:fixed;bottom:18px;left:60px;right:60px;font-size:16px;color:#666;display:flex;'
            'justify-content:space-between}</style></head><body>'
            '<h1>How to spot a fake virus alert</h1><div class="row"><div class="ex"><div class="w">'
            '<b>Windows Defender - Security Warning</b><br>Your computer is blocked.<br>'
            'Call Microsoft Support: <b>1-800-555-0100</b></div></div><ul>'
            '<li>Example of a scam page shown in a browser</li><li>Real warnings from Windows never show a phone number</li>'
            '<li>Never call the number: close the browser or restart</li><li>Tell a relative or the police</li></ul></div>'
            '<div class="foot"><span>Digital safety workshop for seniors - October 2026</span><span>Slide 7 / 24</span></div>'
            '</body></html>')


def windows_security_threat() -> Image.Image:
    """The real Windows Security app (drawn, not a web page) after a scan that found a real
    threat: side menu, the threat's name and severity, the app's own buttons."""
    img = Image.new("RGB", (1366, 768), (243, 243, 243))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, 1366, 32), fill=(255, 255, 255))
    d.text((12, 7), "Windows Security", font=font(14), fill=(30, 30, 30))
    d.text((1260, 4), "_   [ ]   X", font=font(16), fill=(30, 30, 30))
    d.rectangle((0, 32, 250, 768), fill=(230, 230, 230))
    for i, item in enumerate(["Home", "Virus & threat protection", "Account protection", "Firewall & network protection",
                              "App & browser control", "Device security", "Device performance & health",
                              "Family options", "Protection history"]):
        d.text((16, 70 + 40 * i), item, font=font(15, i == 1), fill=(30, 30, 30))
    d.text((290, 60), "Virus & threat protection", font=font(30), fill=(20, 20, 20))
    d.text((290, 110), "Protection for your device against threats.", font=font(16), fill=(70, 70, 70))
    d.text((290, 170), "Current threats", font=font(20, True), fill=(20, 20, 20))
    d.text((290, 210), "Threats found. Start the recommended actions.", font=font(16), fill=(20, 20, 20))
    d.rectangle((290, 245, 900, 330), fill="white")
    d.text((305, 255), "Trojan:Win32/Wacatac.B!ml", font=font(16, True), fill=(20, 20, 20))
    d.text((305, 282), "14/10/2026 09:12 (Active)", font=font(14), fill=(70, 70, 70))
    d.text((800, 268), "Severe", font=font(15), fill=(180, 30, 30))
    d.rectangle((290, 350, 430, 384), fill=(0, 103, 192))
    d.text((305, 357), "Start actions", font=font(15), fill="white")
    d.text((290, 410), "Protection history", font=font(16), fill=(0, 90, 180))
    d.text((290, 460), "Last scan: 14/10/2026 09:10 (quick scan)", font=font(15), fill=(70, 70, 70))
    d.text((290, 490), "Quick scan     Scan options     Allowed threats", font=font(15), fill=(0, 90, 180))
    return img
