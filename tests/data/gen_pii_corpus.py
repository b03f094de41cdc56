#!/usr/bin/env python3
"""Generate tests/data/pii_corpus.jsonl: labelled support messages for the
PII detectors. Deterministic (fixed seed); run from the repository root:

    python3 tests/data/gen_pii_corpus.py > tests/data/pii_corpus.jsonl

Every value is synthetic: card numbers are random Luhn-valid numbers, IBANs
random with correct check digits, SSNs random in the issued ranges, phone
numbers random valid NANP or foreign numbers. Each line:
  {"text": ..., "labels": [{"kind": ..., "value": ...}], "known": {...}}
Labels name exact substrings of the text. "known" lists the customer's own
email/phones (E.164) already on the profile: not labelled, not a leak.
"""
import json
import random

rng = random.Random(20240314)

FIRST = ["Maria", "James", "Aisha", "Tom", "Priya", "Lukas", "Sofia", "Daniel", "Chen", "Fatima",
         "Oliver", "Emma", "Noah", "Ines", "Kenji", "Grace", "Mateo", "Hannah", "Omar", "Lea",
         "Ryan", "Zoe", "Marco", "Julia", "Sean", "Nina", "Pedro", "Elif", "Sam", "Chloe"]
LAST = ["Garcia", "Smith", "Khan", "O'Neill", "Patel", "Schmidt", "Rossi", "Nguyen", "Wang",
        "Haddad", "Brown", "Dubois", "Kowalski", "Silva", "Tanaka", "Murphy", "Lopez", "Meyer",
        "Ali", "Jensen", "Cohen", "Novak", "Fischer", "Martin"]
DOMAINS = ["gmail.com", "outlook.com", "yahoo.com", "icloud.com", "hotmail.co.uk", "web.de",
           "proton.me", "gmx.net", "orange.fr", "comcast.net", "fastmail.com", "mail.com"]
PRODUCTS = ["blender", "standing desk", "running shoes", "rain jacket", "coffee grinder",
            "phone case", "air fryer", "yoga mat", "headphones", "duvet cover", "backpack",
            "desk lamp", "kettle", "kids bike", "vacuum", "office chair"]
AGENTS = ["Sam", "Priya", "Marcus", "Lena", "Jo", "Ade"]


def pick(xs):
    return rng.choice(xs)


def luhn_complete(body):
    for c in "0123456789":
        s = body + c
        total = 0
        for i, ch in enumerate(reversed(s)):
            d = int(ch)
            if i % 2 == 1:
                d *= 2
                if d > 9:
                    d -= 9
            total += d
        if total % 10 == 0:
            return s
    raise AssertionError


def luhn_ok(s):
    total = 0
    for i, ch in enumerate(reversed(s)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return total % 10 == 0


CARD_SHAPES = [("4", 16, "visa"), ("4", 16, "visa"), ("4", 16, "visa"), ("51", 16, "mastercard"),
               ("53", 16, "mastercard"), ("55", 16, "mc"), ("2223", 16, "mastercard"),
               ("2500", 16, "mastercard"), ("34", 15, "amex"), ("37", 15, "amex"),
               ("6011", 16, "discover"), ("65", 16, "discover"), ("3530", 16, "jcb"),
               ("36", 14, "diners"), ("62", 16, "unionpay"), ("4", 13, "visa"), ("4", 19, "visa")]


def card_number(invalid=False):
    prefix, length, brand = pick(CARD_SHAPES)
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    s = luhn_complete(body)
    if invalid:
        last = (int(s[-1]) + rng.randrange(1, 10)) % 10
        s = s[:-1] + str(last)
        assert not luhn_ok(s)
    return s, brand


def format_card(s):
    style = rng.random()
    if len(s) == 15:
        parts = [s[:4], s[4:10], s[10:]]
    else:
        parts = [s[i:i + 4] for i in range(0, len(s), 4)]
    if style < 0.45:
        return " ".join(parts)
    if style < 0.7:
        return "-".join(parts)
    return s


IBAN_COUNTRIES = [("DE", 22, "n"), ("GB", 22, "a4n"), ("FR", 27, "n"), ("ES", 24, "n"),
                  ("NL", 18, "a4n"), ("IT", 27, "a1n"), ("BE", 16, "n"), ("IE", 22, "a4n"),
                  ("AT", 20, "n"), ("PL", 28, "n"), ("PT", 25, "n"), ("CH", 21, "n"),
                  ("SE", 24, "n"), ("DK", 18, "n"), ("NO", 15, "n"), ("FI", 18, "n")]
BANK_CODES = ["WEST", "ABNA", "INGB", "RABO", "BOFI", "AIBK", "NWBK", "BARC", "MIDL", "RBOS"]


def iban_check(country, bban):
    s = bban + country + "00"
    num = "".join(str(int(c, 36)) for c in s)
    return "%02d" % (98 - int(num) % 97)


def iban():
    country, length, shape = pick(IBAN_COUNTRIES)
    n = length - 4
    if shape == "a4n":
        bban = pick(BANK_CODES) + "".join(str(rng.randrange(10)) for _ in range(n - 4))
    elif shape == "a1n":
        bban = chr(ord("A") + rng.randrange(26)) + "".join(str(rng.randrange(10)) for _ in range(n - 1))
    else:
        bban = "".join(str(rng.randrange(10)) for _ in range(n))
    raw = country + iban_check(country, bban) + bban
    if rng.random() < 0.6:
        return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))
    return raw


def ssn(sep="-"):
    while True:
        area = rng.randrange(1, 900)
        if area == 666:
            continue
        group = rng.randrange(1, 100)
        serial = rng.randrange(1, 10000)
        d = "%03d%02d%04d" % (area, group, serial)
        if d in ("078051120", "219099999", "123456789"):
            continue
        return f"{d[:3]}{sep}{d[3:5]}{sep}{d[5:]}"


def nanp():
    while True:
        area = rng.randrange(201, 990)
        if area % 100 == 11 or str(area)[1:] == "11":
            continue
        exch = rng.randrange(200, 1000)
        line = rng.randrange(0, 10000)
        return "%03d" % area, "%03d" % exch, "%04d" % line


def us_phone():
    a, e, l = nanp()
    style = rng.randrange(7)
    raw = [f"({a}) {e}-{l}", f"{a}-{e}-{l}", f"{a}.{e}.{l}", f"+1 {a} {e} {l}",
           f"+1 ({a}) {e}-{l}", f"1-{a}-{e}-{l}", f"+1-{a}-{e}-{l}"][style]
    return raw, f"+1{a}{e}{l}"


INTL = [
    ("+44 20 {a} {b}", "+4420{a}{b}", 4, 4), ("+44 7{a} {b}", "+447{a}{b}", 3, 6),
    ("+49 30 {a}{b}", "+4930{a}{b}", 4, 4), ("+33 6 {a} {b}", "+336{a}{b}", 4, 4),
    ("+34 6{a} {b}", "+346{a}{b}", 2, 6), ("+353 87 {a} {b}", "+35387{a}{b}", 3, 4),
    ("+61 4{a} {b}", "+614{a}{b}", 2, 6), ("+31 6 {a} {b}", "+316{a}{b}", 4, 4),
    ("00 44 7{a} {b}", "+447{a}{b}", 3, 6), ("+39 3{a} {b}", "+393{a}{b}", 2, 7),
]


def intl_phone():
    fmt, e164, na, nb = pick(INTL)
    a = "".join(str(rng.randrange(10)) for _ in range(na))
    b = "".join(str(rng.randrange(10)) for _ in range(nb))
    if fmt.startswith("+33"):
        a, b = a[:2] + " " + a[2:], b[:2] + " " + b[2:]
        e = e164.format(a=a.replace(" ", ""), b=b.replace(" ", ""))
        return fmt.format(a=a, b=b), e
    return fmt.format(a=a, b=b), e164.format(a=a, b=b)


def person():
    f, l = pick(FIRST), pick(LAST)
    local = pick([f"{f}.{l}", f"{f[0]}{l}", f"{f}{rng.randrange(10, 99)}", f"{f}_{l}",
                  f"{l}.{f[0]}", f"{f}.{l}{rng.randrange(1, 9)}"]).lower().replace("'", "")
    return f, l, f"{local}@{pick(DOMAINS)}"


def order_no():
    return pick([f"#{rng.randrange(10**6, 10**7)}", f"#{rng.randrange(10**12, 10**13)}",
                 f"{rng.randrange(10**8, 10**9)}", f"WEB-{rng.randrange(10**5, 10**6)}",
                 f"#A{rng.randrange(10**6, 10**7)}"])


def tracking():
    kind = rng.randrange(4)
    if kind == 0:
        return "1Z" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(6)) + \
            "".join(str(rng.randrange(10)) for _ in range(10))
    if kind == 1:
        d = pick(["9400", "9205", "9361", "9405"]) + "".join(str(rng.randrange(10)) for _ in range(18))
        return " ".join(d[i:i + 4] for i in range(0, 22, 4)) if rng.random() < 0.5 else d
    if kind == 2:
        return "".join(str(rng.randrange(10)) for _ in range(12))
    return "".join(str(rng.randrange(10)) for _ in range(15))


def amount():
    return pick([f"${rng.randrange(5, 3000)}.{rng.randrange(100):02d}",
                 f"${rng.randrange(1, 9)},{rng.randrange(1000):03d}.{rng.randrange(100):02d}",
                 f"€{rng.randrange(5, 900)},{rng.randrange(100):02d}",
                 f"£{rng.randrange(5, 500)}.{rng.randrange(100):02d}",
                 f"{rng.randrange(5, 400)}.{rng.randrange(100):02d} USD"])


def date():
    y, m, d = rng.randrange(2022, 2026), rng.randrange(1, 13), rng.randrange(1, 29)
    return pick([f"{y}-{m:02d}-{d:02d}", f"{m}/{d}/{y}", f"{d:02d}.{m:02d}.{y}",
                 f"{y}-{m:02d}-{d:02d} {rng.randrange(24):02d}:{rng.randrange(60):02d}",
                 f"{y}-{m:02d}-{d:02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z",
                 f"March {d}", f"{d} {pick(['Jan', 'Feb', 'Apr', 'Jun', 'Sep', 'Nov'])} {y}"])


def time_():
    return pick([f"{rng.randrange(1, 12)}:{rng.randrange(60):02d}pm", f"{rng.randrange(24):02d}:{rng.randrange(60):02d}",
                 f"{rng.randrange(1, 12)}am"])


def ip_public():
    while True:
        a = rng.randrange(1, 224)
        if a in (10, 127, 169, 172, 192, 100):
            continue
        return f"{a}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def ipv6():
    groups = [pick(["2a02", "2001", "2600", "2a01", "2804"]), "%x" % rng.randrange(0x100, 0xffff)]
    groups += ["%x" % rng.randrange(0, 0xffff) for _ in range(rng.choice([2, 6]))]
    if len(groups) == 4:
        return ":".join(groups[:2]) + "::" + ":".join(groups[2:])
    return ":".join(groups)


def caseify(s):
    r = rng.random()
    if r < 0.15:
        return s.lower()
    return s


out = []


def emit(text, labels=(), known_emails=(), known_phones=()):
    rec = {"text": text, "labels": [{"kind": k, "value": v} for k, v in labels]}
    for _, v in labels:
        assert v in text, (v, text)
    if known_emails or known_phones:
        rec["known"] = {"emails": list(known_emails), "phones": list(known_phones)}
    out.append(rec)


# ---- messages without personal data (hard negatives included) ----
PLAIN = [
    lambda: f"Hi, my order {order_no()} arrived on {date()} but the {pick(PRODUCTS)} was damaged. Can I get a replacement?",
    lambda: f"hey where is my package?? tracking says {tracking()} and nothing since {date()}",
    lambda: f"I was charged {amount()} twice for order {order_no()}, please refund one of them",
    lambda: f"Thanks {pick(AGENTS)}! The refund of {amount()} showed up today.",
    lambda: f"Your return label for order {order_no()} is attached. Drop it off before {date()}.",
    lambda: f"UPS tracking: {tracking()} - estimated delivery {date()}",
    lambda: f"Can you deliver between {time_()} and {time_()}? I work from home on Tuesdays.",
    lambda: f"The {pick(PRODUCTS)} stopped working after {rng.randrange(2, 40)} days. Model {pick(['X', 'KX', 'B'])}{rng.randrange(100, 999)}, serial {rng.randrange(10**9, 10**10)}.",
    lambda: f"Order {order_no()} total {amount()}, paid on {date()}. Invoice {rng.randrange(10**9, 10**10)} attached.",
    lambda: f"Is the {pick(PRODUCTS)} back in stock? I saw it for {amount()} last week.",
    lambda: f"ok thx",
    lambda: f"I still havent got my refund, its been {rng.randrange(5, 30)} days!!",
    lambda: f"Ticket #{rng.randrange(10**5, 10**6)} – reopened by customer on {date()}",
    lambda: f"Transaction {rng.randrange(10**13, 10**14)} failed at {time_()}, please advise",
    lambda: f"App version {rng.randrange(1, 9)}.{rng.randrange(20)}.{rng.randrange(20)}.{rng.randrange(300)} keeps crashing on login",
    lambda: f"Hi {pick(AGENTS)}, I’d like to change the delivery address on my order {order_no()} please. The new one is {rng.randrange(10, 999)} {pick(['Elm St', 'Rue de Rivoli', 'High Street', 'Calle Mayor'])}.",
    lambda: f"Delivery window {date()} {time_()}–{time_()}. Ref {rng.randrange(10**9, 10**10)}",
    lambda: f"FedEx tracking {tracking()} shows 'exception' since {date()}",
    lambda: f"I paid with my card ending in {rng.randrange(1000, 9999)}, can you check?",
    lambda: f"order #{rng.randrange(10**12, 10**13)} still processing, its been a week",
    lambda: f"Your verification code is {rng.randrange(100000, 999999)}. It expires in 10 minutes.",
    lambda: f"Coupon SAVE{rng.randrange(10, 50)} didn't apply to {amount()} basket",
    lambda: f"RMA {rng.randrange(10**7, 10**8)} approved. Refund of {amount()} in 5-7 business days.",
    lambda: f"I was billed {amount()} on {date()} and again {amount()} on {date()}.",
    lambda: f"Good morning, the {pick(PRODUCTS)} ({rng.randrange(2, 5)} units) from invoice INV-{rng.randrange(2022, 2026)}-{rng.randrange(10**5, 10**6)} is missing one part.",
    lambda: f"great service, 5 stars, thank you {pick(AGENTS)} :)",
    lambda: f"Sent from my iPhone",
    lambda: f"[{date()}] status changed: OPEN -> WAITING",
    lambda: f"my order number is {rng.randrange(10**9, 10**10)} and it says delivered but nothing here",
    lambda: f"The charge was {amount()} but the price on the site said {amount()}",
    lambda: f"Please cancel order {card_number(invalid=True)[0]} before it ships",
    lambda: f"Order {card_number()[0]} was placed by mistake, pls cancel",
    lambda: f"Reference number {format_card(card_number(invalid=True)[0])} from the bank statement",
    lambda: f"it's the number on the back of the box: {format_card(card_number(invalid=True)[0])}",
    lambda: f"Is 078-05-1120 the number you need? That's what's on the sample card in my wallet lol",
    lambda: f"the form example says 123-45-6789 so I'm confused what to put",
    lambda: f"Case {rng.randrange(900, 999)}-{rng.randrange(10, 99)}-{rng.randrange(1000, 9999)} was escalated",
    lambda: f"Order total: {amount()} (tax {amount()}) placed {date()}",
    lambda: f"Screen shows error 0x{rng.randrange(16**6):06x} at {time_()}, firmware {rng.randrange(1, 5)}.{rng.randrange(10)}.{rng.randrange(10)}",
    lambda: f"you can find us at support@shopwell.example or call our hotline, we’re open 9-5",
    lambda: f"Package {tracking()} went to the wrong house I think, number {rng.randrange(1, 200)}",
    lambda: f"Hi! Just checking in on {order_no()} :)",
    lambda: f"meeting @ {time_()} tmrw to go over the replacement",
    lambda: f"The batch code on the bottle is {rng.randrange(10**5, 10**6)}-{rng.randrange(100, 999)}, exp {rng.randrange(1, 12):02d}/{rng.randrange(25, 29)}",
    lambda: f"Timestamp {rng.randrange(1_600_000_000_000, 1_760_000_000_000)} in the error log",
]

for _ in range(260):
    emit(caseify(pick(PLAIN)()))

# ---- cards ----
CARD_T = [
    "Hi, can you charge my other card instead? {c} exp {m}/{y}",
    "my {b} is {c}",
    "card number {c}, expiry {m}/{y}, cvv {cvv}",
    "Pls use {c} for the balance. Thanks",
    "I tried paying with {c} but it got declined, can you try again?",
    "{c} {m}/{y} {cvv} - that's the new card",
    "Visa {c}",
    "the credit card on the account should be {c}, not the old one",
    "Hi {a}, here is the card: {c}\nName on card: {f} {l}",
    "refund it to {c} please",
    "Debit card {c} exp. {m}/{y}",
    "i used {c} on {d} and was charged {amt}",
    "For order {o} I paid with card {c}",
    "cc# {c}",
]
for _ in range(90):
    num, brand = card_number()
    c = format_card(num)
    t = pick(CARD_T)
    text = t.format(c=c, b=brand if rng.random() < 0.5 else "card", m="%02d" % rng.randrange(1, 13),
                    y=rng.randrange(25, 31), cvv=rng.randrange(100, 1000), a=pick(AGENTS),
                    f=pick(FIRST), l=pick(LAST), d=date(), amt=amount(), o=order_no())
    emit(text, [("card", c)])

# ---- IBANs ----
IBAN_T = [
    "Please send the refund to my IBAN {i}",
    "IBAN: {i}\nBIC: {bic}",
    "bank transfer to {i} would be easier for me",
    "My account is {i} (joint account with my wife)",
    "can you wire the {amt} to {i}? thanks!",
    "Refund via SEPA to {i}, name {f} {l}",
    "{i}",
    "Hello, for the return of order {o}, my bank details: {i}",
]
for _ in range(60):
    i = iban()
    if rng.random() < 0.1:
        i = i.lower()
    text = pick(IBAN_T).format(i=i, bic=pick(["COBADEFFXXX", "INGBNL2A", "BOFIIE2D"]), amt=amount(),
                               f=pick(FIRST), l=pick(LAST), o=order_no())
    emit(text, [("iban", i)])

# ---- SSNs ----
SSN_T = [
    ("my SSN is {s}", "-"), ("SSN: {s}", "-"), ("Social security number {s}", " "),
    ("they asked for my social so here: {s}", "-"), ("{s} is my ssn, for the credit check", "-"),
    ("ssn {s} dob 04/12/1987", ""), ("For the tax form (W-9), SSN {s}", "-"),
    ("Name: {f} {l}\nSSN: {s}\nDOB: {dob}", "-"), ("here's my social security # {s}", " "),
    ("I already gave you my SSN ({s}) last week", "-"), ("TIN {s}", "-"),
]
for _ in range(60):
    t, sep = pick(SSN_T)
    s = ssn(sep)
    text = t.format(s=s, f=pick(FIRST), l=pick(LAST), dob=f"{rng.randrange(1, 13)}/{rng.randrange(1, 28)}/19{rng.randrange(50, 99)}")
    emit(text, [("ssn", s)])
# invalid SSNs as negatives
for bad in ["000-12-3456", "666-45-1234", "912-34-5678", "536-00-1234", "536-22-0000",
            "219-09-9999", "078-05-1120", "123-45-6789"]:
    emit(f"my ssn is {bad}? the website rejects it")

# ---- emails ----
EMAIL_T = [
    "you can reach me at {e}",
    "Please send the invoice to {e} instead, that's my work address",
    "my daughter's email is {e}, can you add her to the account?",
    "new email: {e}",
    "I never got the confirmation at {e}",
    "Hi, I changed my email to {e} last month but you keep mailing the old one",
    "cc {e} on the reply pls",
]
for _ in range(60):
    f, l, e = person()
    emit(pick(EMAIL_T).format(e=e), [("email", e)])
# customer's own email in a signature: known, not a leak
for _ in range(30):
    f, l, e = person()
    body = pick(["Thanks for the quick help!", f"Any update on order {order_no()}?",
                 "The replacement works fine now.", f"I'll be home after {time_()}."])
    text = f"{body}\n\n--\n{f} {l}\n{e}"
    emit(text, [], known_emails=[e])
# signature with own email plus a leaked third party email
for _ in range(15):
    f, l, e = person()
    f2, l2, e2 = person()
    text = f"Please also send the receipt to my husband {e2}.\n\nBest,\n{f} {l} <{e}>"
    emit(text, [("email", e2)], known_emails=[e])

# ---- phones ----
PHONE_T = [
    "call me at {p}", "my number is {p}", "Can someone ring me on {p}? Easier than chat",
    "text {p} when the driver is close", "new cell {p}", "Phone: {p}",
    "the courier can reach my neighbor at {p}", "{p} is the best number after {t}",
    "WhatsApp me on {p}", "I'm abroad, use {p} until {d}",
]
for _ in range(50):
    p, e164 = us_phone()
    emit(pick(PHONE_T).format(p=p, t=time_(), d=date()), [("phone", p)])
for _ in range(30):
    p, e164 = intl_phone()
    emit(pick(PHONE_T).format(p=p, t=time_(), d=date()), [("phone", p)])
for _ in range(10):
    a, e, l = nanp()
    p = f"{a}{e}{l}"
    emit(pick(["call me {p}", "my phone is {p}", "text me at {p}"]).format(p=p), [("phone", p)])
# the customer's own phone, already on the profile
for _ in range(20):
    p, e164 = us_phone() if rng.random() < 0.7 else intl_phone()
    emit(f"{pick(['Sure, call me on', 'My number is still', 'Reach me at'])} {p} if needed", [],
         known_phones=[e164])

# ---- IPs ----
IP_T = [
    "I keep getting blocked, my IP is {ip}", "login alert from {ip} wasn't me!!",
    "the error page says 'access denied for {ip}'", "logged in from {ip} at {t}",
]
for _ in range(25):
    ip = ip_public()
    emit(pick(IP_T).format(ip=ip, t=time_()), [("ip", ip)])
for _ in range(8):
    ip = ipv6()
    emit(pick(IP_T).format(ip=ip, t=time_()), [("ip", ip)])
for _ in range(5):
    emit(f"Firmware version {rng.randrange(1, 5)}.{rng.randrange(10)}.{rng.randrange(10)}.{rng.randrange(99)} won't install")

# ---- mixed ----
for _ in range(40):
    f, l, e = person()
    num, brand = card_number()
    c = format_card(num)
    p, e164 = us_phone() if rng.random() < 0.6 else intl_phone()
    s = ssn()
    i = iban()
    shape = rng.randrange(5)
    if shape == 0:
        text = (f"Hi, this is {f}. Order {order_no()} ({amount()}) - please charge {c} instead "
                f"and call me on {p} if there's a problem.")
        labels = [("card", c), ("phone", p)]
    elif shape == 1:
        text = (f"Subject: Re: refund {order_no()}\n\nHello {pick(AGENTS)},\nplease refund {amount()} to "
                f"IBAN {i}. You can email me at {e}.\nRegards, {f}")
        labels = [("iban", i), ("email", e)]
    elif shape == 2:
        text = f"For the financing application: SSN {s}, phone {p}, email {e}. Tracking for the docs: {tracking()}"
        labels = [("ssn", s), ("phone", p), ("email", e)]
    elif shape == 3:
        text = f"SMS from {p}: pls use card {c} exp {rng.randrange(1, 13):02d}/{rng.randrange(25, 31)} for order {order_no()}"
        labels = [("phone", p), ("card", c)]
    else:
        text = (f"{date()} {time_()} chat: customer wrote 'my social is {s} and card {c}' — "
                f"agent asked them not to share it")
        labels = [("ssn", s), ("card", c)]
    emit(text, labels)


# ---- hand-written hard cases (some are known misses; kept to keep the
# scores honest rather than to pass) ----
HARD = [
    ("my crd nmber is 5500-0000-0000-0004 exp 1225", [("card", "5500-0000-0000-0004")]),
    ("card 4111.1111.1111.1111", [("card", "4111.1111.1111.1111")]),  # dots: missed
    ("here: 4111 1111\n1111 1111 thx", []),  # split over a line break: not a number we can see
    ("my cc is 4012888888881881 and cvv 123", [("card", "4012888888881881")]),
    ("Visa ending 1111, expiring 12/26", []),
    ("Order 4111 1111 1111 1111 shows twice in my account", []),
    ("total was $4,111.11 not $411.11", []),
    ("social security: 536 22 8410", [("ssn", "536 22 8410")]),
    ("536 22 8410 is my social", [("ssn", "536 22 8410")]),  # context after: low confidence
    ("DOB 1987-04-12, SSN 536228410", [("ssn", "536228410")]),
    ("my social is 536-22-8410 and my husband's is 536-22-8411",
     [("ssn", "536-22-8410"), ("ssn", "536-22-8411")]),
    ("Kontonummer: DE89 3704 0044 0532 0130 00", [("iban", "DE89 3704 0044 0532 0130 00")]),
    ("iban NO93 8601 1117 947 pls", [("iban", "NO93 8601 1117 947")]),
    ("my number's 07700 900123", [("phone", "07700 900123")]),  # UK national, default US: missed
    ("call me 555-0199 after six", [("phone", "555-0199")]),  # 7-digit local: missed
    ("reach me on +1 415 555 0100 ext. 12", [("phone", "+1 415 555 0100")]),
    ("Please call 1 800 555 0199", [("phone", "1 800 555 0199")]),
    ("(415)555-0100 is my cell", [("phone", "(415)555-0100")]),
    ("tel:+14155550123", [("phone", "+14155550123")]),
    ("phone number 4155550187", [("phone", "4155550187")]),
    ("+44.20.7946.0958 is my london number", [("phone", "+44.20.7946.0958")]),
    ("Ticket 415-555-0100 reopened", []),
    ("it is jane dot doe at gmail dot com", [("email", "jane dot doe at gmail dot com")]),  # missed
    ("From: Jane Doe <jane.doe@gmail.com>\nhi again", [], ["jane.doe@gmail.com"]),
    ("I'm at jane_doe@yahoo.com now, old one was jd1987@aol.com", [("email", "jane_doe@yahoo.com"), ("email", "jd1987@aol.com")]),
    ("IP: 2001:db8::1", [("ip", "2001:db8::1")]),
    ("the router is 10.0.0.12", [("ip", "10.0.0.12")]),  # private: low confidence
    ("Date: Tue, 12 Mar 2024 10:30:00 +0000", []),
    ("account 1234567890 at Chase", []),
    ("I put 4111-1111-1111-1111 by mistake in the coupon field", [("card", "4111-1111-1111-1111")]),
    ("ups 1Z999AA10123456784 and usps 9400 1000 0000 0000 0000 00", []),
    ("between 9:30-10:45 on 12.03.2024", []),
    ("price 1 299,00 € incl. VAT", []),
    ("my phone 415 555 0142 card 3782 822463 10005", [("phone", "415 555 0142"), ("card", "3782 822463 10005")]),
]
for item in HARD:
    text, labels = item[0], item[1]
    emit(text, labels, known_emails=item[2] if len(item) > 2 else ())

rng.shuffle(out)
for rec in out:
    print(json.dumps(rec, ensure_ascii=False))
