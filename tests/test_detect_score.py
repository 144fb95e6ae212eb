"""The scorer on texts: every family in French and English, pages about scams, phones."""
from pathlib import Path

import pytest

from agent.detect import model, phones, phrases, score

FIX = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def ph():
    loaded, errors = phrases.load_all(())
    assert not errors
    return loaded


def scan(ph, text, sensitivity="normal"):
    return score.score_text(text, ph, sensitivity)


TSS_EN = ("Windows Defender Security Center. Access to this PC has been blocked. Your computer is infected "
          "with Trojan spyware. Do not restart your computer. Call Microsoft Support: +1-800-555-0199 (toll free)")
TSS_FR = ("Windows a été bloqué en raison d'une activité suspecte. Votre ordinateur est infecté. "
          "Ne redémarrez pas. Appelez immédiatement le support technique Microsoft au 01 99 00 12 34")


@pytest.mark.parametrize("text,family,lang", [
    (TSS_EN, "tss", "en"),
    (TSS_FR, "tss", "fr"),
    ((FIX / "refund-en.txt").read_text(), "refund", "en"),
    ((FIX / "summons-fr.txt").read_text(), "summons", "fr"),
    ((FIX / "sextortion-fr.txt").read_text(), "sextortion", "fr"),
])
def test_families_detected(ph, text, family, lang):
    v = scan(ph, text)
    assert v.verdict == "scam", v.signals
    assert v.family == family
    assert v.lang == lang
    assert v.score >= 0.5
    assert v.signals, "a verdict must say why"


def test_english_summons_and_sextortion(ph):
    summons = ("Europol cybercrime unit. You are summoned: an investigation was opened for child pornography. "
               "Reply to this email with your justifications within 72 hours or we will start criminal proceedings.")
    sext = ("I hacked your device and recorded you through your webcam while you visited an adult website. "
            "Send $1500 in Bitcoin to my wallet 1BoatSLRHtKNngkdXEeobR76b53LETtpyT within 48 hours "
            "or the video goes to your contacts.")
    assert (scan(ph, summons).verdict, scan(ph, summons).family) == ("scam", "summons")
    assert (scan(ph, sext).verdict, scan(ph, sext).family) == ("scam", "sextortion")


@pytest.mark.parametrize("text", [
    (FIX / "guidance-fr.txt").read_text(),
    "Tech support scams: Microsoft will never call you. Never call a number shown in a pop-up "
    "that says your computer is infected and blocked; it is a scam. Report scams at microsoft.com/reportascam.",
    "Configure the firewall. Viruses and malware are rare; keep passwords safe. Call 192.168.1.254 if needed.",
    "Your order has shipped. Thank you for shopping. Questions? Call us at +1 800 555 0100.",
])
def test_legitimate_texts_do_not_alert(ph, text):
    v = scan(ph, text)
    assert v.verdict == "ok", v.signals


def test_counter_signals_listed_for_pages_about_scams(ph):
    v = scan(ph, (FIX / "guidance-fr.txt").read_text())
    assert any(s.kind == "counter" for s in v.signals)


def test_sensitivity_moves_the_line(ph):
    """0.5 stays the line; "high" alerts on weaker evidence, "low" asks for more."""
    weak = "Microsoft\nCall us now: 01 99 00 12 34"     # a brand, a call to act and a number, nothing else
    assert model.SENSITIVITY_SHIFT["high"] > model.SENSITIVITY_SHIFT["normal"] > model.SENSITIVITY_SHIFT["low"]
    verdicts = {s: scan(ph, weak, s) for s in ("low", "normal", "high")}
    assert verdicts["high"].score > verdicts["normal"].score > verdicts["low"].score
    assert (verdicts["low"].verdict, verdicts["normal"].verdict, verdicts["high"].verdict) == ("ok", "scam", "scam")


def test_incomplete_shape_is_uncertain_not_confident(ph):
    """Threat + call + an ordinary number but no impersonation cue, one line of plain text:
    the model is unsure (in the 0.35-0.65 band, where the sensitivity decides); "low" does
    not alert. (The old hard gate held it under the line; the refit of the #11 round with
    the sender and dispute evidence puts it just over at normal.)"""
    verdicts = {s: scan(ph, "Virus alert on Windows. Call support: 01 99 00 12 34", s) for s in ("low", "normal")}
    assert 0.35 < verdicts["normal"].score < 0.65
    assert verdicts["low"].verdict == "ok"


def test_no_scam_claim_stays_under_the_line(ph):
    """A number to call and "you" are not a scam claim, whatever the sensitivity."""
    v = scan(ph, "Your appointment is on Tuesday. If you cannot come, call us at 1-800-555-0111.", "high")
    assert v.verdict == "ok" and v.score <= score.NO_CLAIM_CAP


def test_ocr_slips_are_tolerated(ph):
    slipped = TSS_EN.replace("infected", "infecte d").replace("Microsoft Support", "Micr0soft Support")
    assert scan(ph, slipped).verdict == "scam"


def test_short_words_must_match_exactly(ph):
    v = scan(ph, "All Microsoft products and devices")
    assert not any(s.kind == "call" for s in v.signals)


def test_phones_are_normalised_and_typed():
    found = phones.find_phones("Call +1-800-555-0199 or 0 800 55 01 99 or 09 70 12 34 56, not 192.168.10.254")
    e164 = [p.e164 for p in found]
    assert "+18005550199" in e164 and "+33800550199" in e164
    kinds = {p.e164: p.kind for p in found}
    assert kinds["+18005550199"] == "toll_free" and kinds["+33800550199"] == "toll_free"
    assert not any("192" in p.raw for p in found)


def test_ocr_letter_o_in_numbers():
    assert [p.e164 for p in phones.find_phones("appelez le 08OO 55 O1 99")] == ["+33800550199"]


def test_bitcoin_addresses():
    text = "wallet bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh and 1BoatSLRHtKNngkdXEeobR76b53LETtpyT"
    assert len(phones.find_bitcoin_addresses(text)) == 2


def test_verdict_names_the_model_evidence(ph):
    v = scan(ph, TSS_EN)
    assert v.features["phone_special"] == 1.0 and v.features["shape_tss"] == 1.0
    assert any(s.kind == "phone" and s.weight > 0 for s in v.signals)


def test_empty_text_is_ok(ph):
    v = scan(ph, "")
    assert v.verdict == "ok" and v.family is None and v.score == 0


def test_dates_case_numbers_and_ip_are_not_phones():
    text = "Mis à jour le 21/11/2026 09. Dossier 2024/8812, ouvert le 24/06/2023 - 20 h. IP 192.168.10.254"
    assert phones.find_phones(text) == []
    assert [p.e164 for p in phones.find_phones("Appelez le 01.76.36.31.88")] == ["+33176363188"]


def test_order_and_customer_numbers_are_not_phones_but_service_lines_are():
    receipt = ("Order number: 4012-7731-9920\nRéférence client : 1234 5678 90\nMembership ID: PRM-3398-1127\n"
               "Invoice no. 01 23 45 67 89")
    assert phones.find_phones(receipt) == []
    lines = "Service client : 01 84 88 55 10\nOrder ID 7720481 - questions? call +1 (802) 555-0177"
    assert [p.e164 for p in phones.find_phones(lines)] == ["+33184885510", "+18025550177"]


def test_a_fake_scan_with_findings_is_evidence_a_real_scan_is_not():
    """scan_screen: a security brand, a scan and bad findings on a nearly empty screen."""
    from agent.detect import features
    from agent.detect.words import Word

    def f(text):
        words = [Word(t, 90.0, 50 * i, 0, 40, 20, 0, 0) for i, t in enumerate(text.split())]
        hits = [("brand", "", 1.0), ("scan", "", 1.0)]
        return features.compute(text, hits, [], False, words)["scan_screen"]
    assert f("Windows Defender\nQuick scan in progress\nThreats found: 5") > 0.8
    assert f("Apple Security\nScanning your Mac\nXProtect: signature database corrupted") > 0.8
    assert f("Windows Security\nQuick scan running\n1,842 files scanned\nYou can keep working") == 0
    assert f("Windows Security\nLast scan: quick scan\n0 threats found\nNo threats detected") == 0


def test_a_defender_dashboard_is_not_sextortion_and_cancel_is_not_refund(ph):
    dash = (FIX / "tss-dashboard-en.txt").read_text() + "\nPayment options\nCancel"
    v = scan(ph, dash)
    assert v.verdict == "scam" and v.family == "tss"


def test_clickfix_texts(ph):
    for name in ("clickfix-en.txt", "clickfix-fr.txt"):
        v = scan(ph, (FIX / name).read_text())
        assert (v.verdict, v.family) == ("scam", "clickfix"), v.signals
    news = scan(ph, (FIX / "news-clickfix-en.txt").read_text())
    assert news.verdict == "ok", news.signals


def test_text_is_capped_to_a_screen():
    long_text = "Hello " + "word " * 100_000 + "Your computer is blocked. Call Microsoft +1-800-555-0199"
    v = score.score_text(long_text, ())
    assert len(v.text) <= score.MAX_TEXT_CHARS + 1                  # head + "\n" + tail (agent.detect.limits)
    assert v.text.startswith("Hello") and "+18005550199" in v.phones_e164


def test_any_text_gives_a_verdict(ph):
    """Seeded random texts (OCR garbage, mixed scripts, digits, scam words): never an
    exception, always a probability."""
    import random
    rnd = random.Random(15)
    alphabet = "abcdefghijklmnopqrstuvwxyz ABCDEFXYZ 0123456789 +-./:#|&@€$\n\t éèàçü 電話警告 ロボット"
    words = [p.text for p in ph[::17]]
    for _ in range(300):
        parts = ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 40))) for _ in range(rnd.randint(0, 6))]
        parts += rnd.sample(words, rnd.randint(0, 5))
        rnd.shuffle(parts)
        v = scan(ph, " ".join(parts), rnd.choice(["low", "normal", "high"]))
        assert v.verdict in ("scam", "ok") and 0.0 <= v.score <= 1.0


def test_random_bytes_read_as_text_are_not_a_scam(ph):
    """Garbage (1-2 letter fragments everywhere) says nothing about who speaks to whom."""
    import random
    data = bytes(random.Random(7).getrandbits(8) for _ in range(200_000)).decode("latin-1")
    v = scan(ph, data)
    assert v.verdict == "ok" and v.features["me"] == 0 and v.features["you"] == 0


def test_first_screen_of_a_blackmail_letter_is_sextortion(ph):
    v = scan(ph, (FIX / "sextortion-en-first-screen.txt").read_text())
    assert (v.verdict, v.family) == ("scam", "sextortion"), v.signals


# --- the #11 evidence added after the corpus grew: intrusion story, sender, dispute, web page

LETTER_EN = ("Hello. I have some bad news for you. Some weeks ago I hacked the router you use and got into your "
             "laptop and your phone. I put a small program on your devices and I have been watching your screen "
             "since then. I also recorded you through your camera. Keep reading: what happens now is up to you.")
LETTER_FR = ("Bonjour. J'ai une mauvaise nouvelle pour vous. Il y a quelques semaines, j'ai piraté votre boîte mail "
             "et pris le contrôle de votre ordinateur. J'ai installé un programme qui me montre tout ce que vous "
             "faites. Je vous ai filmé avec votre caméra. Lisez la suite, tout dépend de vous.")
NEWS_EN = ("Police warn of a new wave of blackmail e-mails. The senders claim they hacked the victims' computers "
           "and recorded them; one message reads: 'I installed malware on your device'. Officers say the "
           "criminals have no such access. Victims should not pay and should report the e-mail. Published "
           "12 March 2026 by our newsroom.")


@pytest.mark.parametrize("text", [LETTER_EN, LETTER_FR])
def test_first_person_break_in_story_is_sextortion_without_its_demand(ph, text):
    from agent.detect import intrusion  # noqa: PLC0415
    assert intrusion.claim_sentences(text) >= 3
    v = scan(ph, text)
    assert v.verdict == "scam" and v.family == "sextortion", (v.score, v.features)
    assert any(s.kind == "layout" and s.text == "intrusion" for s in v.signals)


def test_article_quoting_the_story_once_is_not(ph):
    from agent.detect import intrusion  # noqa: PLC0415
    assert intrusion.claim_sentences(NEWS_EN) <= 1
    assert scan(ph, NEWS_EN).verdict == "ok"


def test_obfuscated_letters_are_read_back():
    from agent.detect import intrusion, match  # noqa: PLC0415
    assert match.normalize("| &cquired 4n access to e&ch of your 4ccounts, 4th floor, 4 days") == \
        "i acquired an access to each of your accounts 4th floor 4 days"
    assert intrusion.claim_sentences("First, | g&ined 4ccess to your devices and | inst&lled a trojan.") == 1


@pytest.mark.parametrize("text,expected", [
    ("From: LifeLock by Norton <billing.team88@gmail.com>", 1.0),     # a brand writing from a free mailbox
    ("From:\n\nOrder Desk <a8x@shop-mailer.com.br>", 1.0),            # an unrelated domain
    ("From: Norton <no-reply@norton.com>", 0.0),                      # the brand's own domain
    ("From: Amazon.co.uk <auto-confirm@amazon.co.uk>", 0.0),
    ("De : Boutique Électro <commandes@boutique-electro.fr>", 0.0),   # a shop in its own name
    ("From: Anne Martin <anne.martin@gmail.com>", 0.0),               # a person from their mailbox
    ("Norton renewal, no sender shown", 0.0),
])
def test_sender_against_the_brand(text, expected):
    from agent.detect import sender  # noqa: PLC0415
    assert sender.mismatch(text, ["norton", "amazon"]) == expected


@pytest.mark.parametrize("text,expected", [
    ("If you did not authorise this charge, call our billing line on 1-888-555-0142.", 1),
    ("Si vous n'êtes pas à l'origine de ce paiement, appelez le 09 70 00 00 00 pour l'annuler.", 1),
    ("To cancel the renewal and get a refund, contact our helpdesk at 1-888-555-0142.", 1),
    ("If you don't recognise this payment, log in to your account and report it.", 0),
    ("Thank you for your order. Your parcel ships tomorrow.", 0),
])
def test_call_to_dispute_a_charge(text, expected):
    from agent.detect import dispute  # noqa: PLC0415
    assert dispute.sentences(text) == expected


def test_fake_renewal_from_a_free_mailbox_is_refund_and_a_shops_own_invoice_is_not(ph):
    fake = ("Subject: Your membership was renewed\nFrom: Norton Billing Centre <renewals.desk7@outlook.com>\n"
            "Dear customer, your Norton Total Security membership has been renewed. Amount charged: $349.99.\n"
            "Invoice no. 55-10293. If you did not authorize this renewal, call us within 24 hours at "
            "+1 (888) 555-0142 to cancel and get a refund.")
    shop = ("Objet : Votre commande n° 77120\nDe : Boutique Électro <commandes@boutique-electro.fr>\n"
            "Bonjour, merci pour votre commande. Norton 360, 1 an : 49,99 €. Montant total : 49,99 €.\n"
            "Votre facture est dans votre espace client. Service client : 09 70 12 34 56.")
    v = scan(ph, fake)
    assert v.verdict == "scam" and v.family == "refund", (v.score, v.features)
    assert v.features["sender_mismatch"] == 1.0 and v.features["dispute"] == 1.0
    w = scan(ph, shop)
    assert w.verdict == "ok", (w.score, w.features)


def test_a_number_is_not_cut_at_a_blank_line():
    text = "Have questions? Reach us at +1 802-555-0147.\n\n6220 Main Street, San Jose"
    assert [p.e164 for p in phones.find_phones(text)] == ["+18025550147"]
