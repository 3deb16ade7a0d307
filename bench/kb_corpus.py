"""Deterministic knowledge-base corpus and labelled queries for bench/kb_search.py.

Every article is one unique (topic, issue, context, audience) combination, e.g. "VPN keeps disconnecting on macOS
(Karachi office)". Many articles share a topic, an issue or a context, so ranking has to use all of a query's
words. Queries are built from an article's key terms (never its exact title) and labelled with its index.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

# Each issue: (title template with {ctx}, key terms (as typed by someone who knows the words), paraphrases
# (other words for the same problem; only some of them appear in a given article's body)).
TOPICS: list[dict] = [
    dict(name="password", category="Access/Accounts & passwords", tags=["password", "account", "sign-in"],
         contexts=["Windows 11", "macOS", "the self-service portal", "Outlook on the web", "the HR portal",
                   "SAP", "Citrix Workspace"],
         issues=[
             ("Reset a forgotten password on {ctx}", ["reset", "password"],
              ["forgot my password", "recover lost password", "password forgotten cannot remember"]),
             ("Password expired warning on {ctx}", ["password", "expired"],
              ["password expiry notice", "password about to expire", "password has expired"]),
             ("Account locked after too many password attempts on {ctx}", ["account", "locked"],
              ["locked out of account", "too many failed sign-in attempts", "account lockout"]),
             ("Change your password on {ctx}", ["change", "password"],
              ["update my password", "set a new password", "modify password"]),
             ("Password reset link not arriving for {ctx}", ["reset", "link", "arriving"],
              ["reset email never received", "no password reset email", "reset link missing"]),
             ("Password rules and complexity requirements for {ctx}", ["password", "complexity"],
              ["password requirements", "password policy length", "strong password rules"]),
         ]),
    dict(name="vpn", category="Access/VPN & remote access", tags=["vpn", "remote access", "globalprotect"],
         contexts=["Windows 11", "macOS", "Ubuntu Linux", "iPhone", "Android", "home broadband", "hotel Wi-Fi"],
         issues=[
             ("VPN keeps disconnecting on {ctx}", ["vpn", "disconnecting"],
              ["vpn drops every few minutes", "remote access connection keeps dropping", "vpn connection unstable"]),
             ("Install the GlobalProtect VPN client on {ctx}", ["install", "vpn", "client"],
              ["set up globalprotect", "download vpn software", "vpn installation"]),
             ("VPN connects but internal sites do not load on {ctx}", ["vpn", "internal", "sites"],
              ["intranet unreachable over vpn", "connected to vpn but cannot reach servers", "vpn no internal access"]),
             ("VPN authentication failed error on {ctx}", ["vpn", "authentication", "failed"],
              ["vpn login rejected", "vpn credentials not accepted", "vpn sign-in error"]),
             ("Slow VPN speeds on {ctx}", ["slow", "vpn"],
              ["vpn very sluggish", "remote connection speed poor", "vpn bandwidth low"]),
             ("Request VPN access on {ctx}", ["request", "vpn", "access"],
              ["apply for remote access", "get vpn permission", "need vpn account"]),
         ]),
    dict(name="printer", category="Hardware/Printers & scanners", tags=["printer", "printing", "hp"],
         contexts=["HP LaserJet M507", "Ricoh IM C3000", "Canon imageRUNNER", "Kyocera TASKalfa", "Xerox VersaLink",
                   "Brother HL-L6400", "Epson WorkForce"],
         issues=[
             ("Paper jam that will not clear on the {ctx}", ["paper", "jam"],
              ["paper stuck in printer", "jammed tray", "printer says jam but nothing stuck"]),
             ("Add the {ctx} printer to your computer", ["add", "printer"],
              ["connect to printer", "install printer driver", "set up network printer"]),
             ("Print jobs stuck in the queue on the {ctx}", ["print", "queue", "stuck"],
              ["documents not printing", "printing spooler frozen", "jobs waiting forever"]),
             ("Scan to e-mail fails on the {ctx}", ["scan", "email"],
              ["scanner cannot send mail", "scanned documents not delivered", "smtp error when scanning"]),
             ("Replace toner on the {ctx}", ["replace", "toner"],
              ["toner low warning", "change ink cartridge", "order printer cartridge"]),
             ("Printing comes out faded or streaky on the {ctx}", ["faded", "streaky", "printing"],
              ["poor print quality", "blurry printouts", "lines on printed pages"]),
         ]),
    dict(name="outlook", category="Storage/Mailbox size", tags=["outlook", "email", "exchange"],
         contexts=["Outlook for Windows", "Outlook for Mac", "Outlook on the web", "the iPhone Mail app",
                   "the Android Outlook app", "Thunderbird", "a shared mailbox"],
         issues=[
             ("Mailbox full and cannot send e-mail in {ctx}", ["mailbox", "full"],
              ["mailbox quota exceeded", "email storage limit reached", "inbox over size limit"]),
             ("Set up an e-mail signature in {ctx}", ["email", "signature"],
              ["create signature", "add footer to emails", "change my mail signature"]),
             ("Set an out-of-office automatic reply in {ctx}", ["out", "office", "reply"],
              ["vacation auto reply", "automatic away message", "holiday autoresponder"]),
             ("E-mails stuck in the Outbox in {ctx}", ["emails", "stuck", "outbox"],
              ["messages not sending", "mail stays in outbox", "cannot send email"]),
             ("Recover deleted e-mails in {ctx}", ["recover", "deleted", "emails"],
              ["restore removed messages", "undelete mail", "get back lost email"]),
             ("Calendar invitations not showing in {ctx}", ["calendar", "invitations"],
              ["meeting invites missing", "calendar not syncing", "appointments do not appear"]),
             ("Outlook keeps asking for password in {ctx}", ["outlook", "asking", "password"],
              ["repeated credential prompt", "password prompt loop", "constantly prompted to sign in"]),
         ]),
    dict(name="shared drive", category="Storage/Shared drives", tags=["shared drive", "file share", "storage"],
         contexts=["the S: drive", "the Finance share", "the Marketing share", "the Projects share",
                   "the HR share", "the Legal share", "SharePoint document libraries"],
         issues=[
             ("Map a network drive to {ctx}", ["map", "network", "drive"],
              ["connect shared folder", "add drive letter", "mount file share"]),
             ("Access denied when opening {ctx}", ["access", "denied"],
              ["permission error on folder", "not allowed to open files", "forbidden folder"]),
             ("Quota full on {ctx}", ["quota", "full"],
              ["out of space on share", "storage limit reached", "disk space exhausted"]),
             ("Restore a previous version of a file on {ctx}", ["restore", "previous", "version"],
              ["roll back file", "recover older copy", "undo overwritten document"]),
             ("Files open read-only on {ctx}", ["files", "read", "only"],
              ["cannot save changes", "document locked for editing", "file in use by another user"]),
             ("Drive disconnected or missing: {ctx}", ["drive", "missing"],
              ["share not showing", "mapped drive disappeared", "red x on drive"]),
         ]),
    dict(name="laptop", category="Hardware/Laptops & desktops", tags=["laptop", "hardware", "dell"],
         contexts=["Dell Latitude 5440", "Lenovo ThinkPad T14", "HP EliteBook 840", "MacBook Air", "MacBook Pro",
                   "Microsoft Surface Laptop", "Dell Precision 3580"],
         issues=[
             ("{ctx} will not power on", ["power", "on"],
              ["laptop dead will not start", "no lights when switching on", "computer does not boot"]),
             ("{ctx} battery drains quickly", ["battery", "drains"],
              ["battery life poor", "charge does not last", "battery running out fast"]),
             ("{ctx} running slowly", ["running", "slowly"],
              ["laptop very slow", "computer sluggish and laggy", "performance poor"]),
             ("{ctx} overheating and loud fan", ["overheating", "fan"],
              ["laptop gets very hot", "fan noise loud", "machine too warm"]),
             ("Docking station not detecting monitors with {ctx}", ["docking", "station", "monitors"],
              ["external screens not working with dock", "dock displays blank", "second screen no signal"]),
             ("Request a replacement {ctx}", ["replacement", "laptop"],
              ["swap broken computer", "new laptop request", "exchange faulty machine"]),
             ("{ctx} keyboard or touchpad not working", ["keyboard", "touchpad"],
              ["keys not responding", "trackpad frozen", "mouse pointer stuck"]),
         ]),
    dict(name="mfa", category="Access/Accounts & passwords", tags=["mfa", "two-factor", "authenticator"],
         contexts=["Microsoft Authenticator", "Google Authenticator", "a YubiKey", "SMS codes", "a new phone",
                   "Okta Verify", "Duo Mobile"],
         issues=[
             ("Set up multi-factor authentication with {ctx}", ["set", "multi", "factor"],
              ["enrol in mfa", "configure two-step verification", "turn on 2fa"]),
             ("MFA prompts not arriving from {ctx}", ["mfa", "prompts", "arriving"],
              ["no push notification", "approval request never appears", "two-factor code not received"]),
             ("Move MFA to a new device with {ctx}", ["move", "mfa", "device"],
              ["transfer authenticator", "changed phone lost 2fa", "re-register verification"]),
             ("Lost access to {ctx} for MFA", ["lost", "access", "mfa"],
              ["cannot verify identity", "locked out no second factor", "backup codes"]),
             ("MFA code rejected as invalid with {ctx}", ["mfa", "code", "invalid"],
              ["verification code wrong", "one-time passcode not accepted", "totp code fails"]),
         ]),
    dict(name="wifi", category="Miscellaneous", tags=["wi-fi", "wireless", "network"],
         contexts=["the Corp-Secure network", "the Guest network", "meeting rooms", "the warehouse",
                   "the 3rd floor", "the cafeteria", "the training centre"],
         issues=[
             ("Cannot connect to Wi-Fi in {ctx}", ["connect", "wifi"],
              ["wireless not connecting", "no internet on wireless", "unable to join network"]),
             ("Wi-Fi keeps dropping in {ctx}", ["wifi", "dropping"],
              ["wireless signal drops", "connection cuts out", "intermittent wireless"]),
             ("Guest Wi-Fi access for visitors in {ctx}", ["guest", "wifi", "visitors"],
              ["visitor internet password", "wireless for guests", "temporary network access"]),
             ("Slow Wi-Fi speeds in {ctx}", ["slow", "wifi"],
              ["wireless very slow", "poor network speed", "internet crawling"]),
             ("Wi-Fi certificate warning in {ctx}", ["wifi", "certificate", "warning"],
              ["security certificate prompt wireless", "trust certificate popup", "network certificate error"]),
         ]),
    dict(name="licence", category="Purchase/Software licence", tags=["licence", "software", "purchase"],
         contexts=["Adobe Acrobat Pro", "Microsoft Visio", "Figma", "AutoCAD", "Tableau", "JetBrains IntelliJ",
                   "Zoom Pro"],
         issues=[
             ("Request a {ctx} licence", ["request", "licence"],
              ["buy software seat", "need a license for", "order subscription"]),
             ("{ctx} licence expired or unlicensed product message", ["licence", "expired"],
              ["subscription ended", "unlicensed product warning", "license renewal"]),
             ("Install {ctx} from the Software Center", ["install", "software", "center"],
              ["download application", "get program installed", "self-service install"]),
             ("Transfer a {ctx} licence to another user", ["transfer", "licence"],
              ["reassign seat", "move license to colleague", "hand over subscription"]),
             ("Sign-in problems activating {ctx}", ["activating", "sign"],
              ["activation error", "product will not activate", "login to activate fails"]),
         ]),
    dict(name="onboarding", category="HR Support/Onboarding & offboarding", tags=["onboarding", "new starter", "hr"],
         contexts=["Finance", "Sales", "Marketing", "Engineering", "Legal", "Operations", "Customer Success"],
         issues=[
             ("New starter checklist for {ctx}", ["new", "starter", "checklist"],
              ["onboarding steps new employee", "first day setup", "new hire preparation"]),
             ("Request accounts for a new hire in {ctx}", ["accounts", "new", "hire"],
              ["create user for new employee", "set up logins for joiner", "provision accounts"]),
             ("Offboarding a leaver in {ctx}", ["offboarding", "leaver"],
              ["employee leaving disable accounts", "exit process it", "return equipment when leaving"]),
             ("Equipment for new employees in {ctx}", ["equipment", "new", "employees"],
              ["hardware for joiners", "laptop and phone for new hire", "desk setup new staff"]),
             ("Transfer between teams: access changes for {ctx}", ["transfer", "teams", "access"],
              ["moving department permissions", "change role access", "internal move it changes"]),
         ]),
    dict(name="phone", category="Hardware/Phones & tablets", tags=["phone", "mobile", "intune"],
         contexts=["iPhone 15", "iPhone SE", "Samsung Galaxy S23", "Google Pixel 8", "iPad", "Samsung Galaxy Tab",
                   "desk phones"],
         issues=[
             ("Set up company e-mail on {ctx}", ["set", "email", "phone"],
              ["work mail on mobile", "add exchange account", "configure mail app"]),
             ("Enrol {ctx} in Intune", ["enrol", "intune"],
              ["company portal enrollment", "device management registration", "mdm setup"]),
             ("{ctx} not syncing calendar or contacts", ["syncing", "calendar", "contacts"],
              ["contacts missing on mobile", "calendar not updating", "sync stopped"]),
             ("Report a lost or stolen {ctx}", ["lost", "stolen"],
              ["missing device", "wipe phone remotely", "phone theft"]),
             ("Voicemail setup on {ctx}", ["voicemail", "setup"],
              ["configure answerphone", "voice messages greeting", "set voicemail pin"]),
         ]),
    dict(name="teams", category="Miscellaneous", tags=["teams", "meetings", "video"],
         contexts=["Microsoft Teams", "Zoom", "Webex", "Google Meet", "the boardroom", "huddle rooms",
                   "the Teams Rooms console"],
         issues=[
             ("Microphone not working in {ctx}", ["microphone", "working"],
              ["others cannot hear me", "mic muted no audio", "no sound from my headset"]),
             ("Camera not detected in {ctx}", ["camera", "detected"],
              ["webcam not found", "video black screen", "no video in call"]),
             ("Screen sharing fails in {ctx}", ["screen", "sharing"],
              ["cannot present desktop", "share screen greyed out", "presentation mode broken"]),
             ("Schedule a meeting with video in {ctx}", ["schedule", "meeting"],
              ["book video call", "set up conference", "create invite with link"]),
             ("Echo and poor audio quality in {ctx}", ["echo", "audio"],
              ["feedback noise call", "sound crackling", "voice choppy"]),
             ("Recording meetings in {ctx}", ["recording", "meetings"],
              ["record call", "save meeting video", "where are recordings"]),
         ]),
    dict(name="backup", category="Storage/Backup & restore", tags=["backup", "restore", "recovery"],
         contexts=["OneDrive", "the file server", "Veeam", "Time Machine", "laptops", "SQL databases",
                   "mailboxes"],
         issues=[
             ("Restore deleted files from {ctx} backup", ["restore", "deleted", "files"],
              ["recover lost documents", "get back removed folder", "undelete files"]),
             ("Check backup status for {ctx}", ["backup", "status"],
              ["is my data backed up", "last backup date", "backup job report"]),
             ("Backup failed alert for {ctx}", ["backup", "failed"],
              ["backup error notification", "job did not complete", "backup unsuccessful"]),
             ("Backup retention policy for {ctx}", ["retention", "policy"],
              ["how long backups kept", "data retention period", "archive duration"]),
             ("OneDrive sync errors with {ctx}", ["sync", "errors"],
              ["files not syncing", "red cross sync icon", "upload stuck"]),
         ]),
    dict(name="permissions", category="Access/Application permissions", tags=["permissions", "access", "admin rights"],
         contexts=["Salesforce", "Power BI", "Jira", "Confluence", "SAP", "the CRM", "GitHub"],
         issues=[
             ("Request access to {ctx}", ["request", "access"],
              ["need permission for", "get rights to application", "apply for account"]),
             ("Admin rights to install software for {ctx}", ["admin", "rights"],
              ["local administrator privileges", "elevated permissions", "install needs administrator"]),
             ("Remove a user's access to {ctx}", ["remove", "access"],
              ["revoke permissions", "take away rights", "disable user in app"]),
             ("Permission denied error in {ctx}", ["permission", "denied"],
              ["not authorised message", "insufficient privileges", "403 forbidden"]),
             ("Approve an access request for {ctx}", ["approve", "access", "request"],
              ["manager approval permissions", "authorise request", "sign off access"]),
         ]),
]

AUDIENCES = [
    ("Lahore office", "lahore"), ("Karachi office", "karachi"), ("Islamabad office", "islamabad"),
    ("remote workers", "remote"), ("contractors", "contractor"), ("executives", "executive"),
    ("shared devices", "shared device"), ("field staff", "field staff"), ("Peshawar office", "peshawar"),
    ("interns", "intern"),
]

ANGLES = ["How-to", "Troubleshooting", "FAQ", "Quick fix", "Guide"]

STEPS = [
    "Save your work and close all open applications.",
    "Restart the device and sign in again with your company account.",
    "Check that you are connected to the office network or the VPN.",
    "Open **Settings** and check for pending updates; install them and restart.",
    "Sign out of the application, clear its cache and sign back in.",
    "Make a note of the exact error message, or take a screenshot.",
    "Try the same thing on a colleague's device to see whether the problem follows your account.",
    "Open the Company Portal and run the *Sync* action for your device.",
    "Make sure the date and time on the device are set automatically.",
    "If a prompt asks for your credentials, use `firstname.lastname@example.com` and your usual password.",
    "Check the service status page on the intranet for known outages.",
    "Unplug any docks or adapters, wait ten seconds and plug them back in.",
]

CLOSINGS = [
    "If none of this helps, raise a ticket from the portal and attach the screenshot; the Service Desk answers "
    "within one working day.",
    "Still stuck? Call the Service Desk on extension 4357 (HELP) between 08:00 and 18:00.",
    "For urgent problems affecting a whole team, mark the ticket as high priority and mention how many people "
    "are affected.",
]


@dataclass
class Article:
    index: int
    topic: str
    category: str
    title: str
    body: str
    summary: str
    tags: list[str]
    key_terms: list[str]
    paraphrases: list[str]
    context: str
    audience_word: str
    id: int | None = None
    related: list[str] = field(default_factory=list)


def _ctx_words(context: str) -> str:
    """The context as a person would type it: no leading article."""
    return re.sub(r"^(the|a|an) ", "", context, flags=re.I)


def generate_articles(count: int, seed: int = 20240601) -> list[Article]:
    rng = random.Random(seed)
    combos = [(t, i, c, a) for t in range(len(TOPICS)) for i in range(len(TOPICS[t]["issues"]))
              for c in range(len(TOPICS[t]["contexts"])) for a in range(len(AUDIENCES))]
    if count > len(combos):
        raise ValueError(f"at most {len(combos)} distinct articles")
    rng.shuffle(combos)
    articles = []
    for index, (t, i, c, a) in enumerate(combos[:count]):
        topic = TOPICS[t]
        template, key_terms, paraphrases = topic["issues"][i]
        context = topic["contexts"][c]
        audience, audience_word = AUDIENCES[a]
        base_title = template.format(ctx=context)
        base_title = base_title[0].upper() + base_title[1:]
        angle = rng.choice(ANGLES)
        title = f"{base_title} ({audience})" if rng.random() < 0.5 else f"{angle}: {base_title} for {audience}"
        # Bodies mention some (not all) other words for the problem, and neighbouring topics, as real ones do.
        mentioned = rng.sample(paraphrases, k=rng.randint(1, len(paraphrases)))
        neighbours = rng.sample([x for x in TOPICS if x is not topic], k=2)
        neighbour_issue = [rng.choice(n["issues"])[0].format(ctx=rng.choice(n["contexts"])) for n in neighbours]
        steps = rng.sample(STEPS, k=rng.randint(3, 6))
        body = "\n\n".join([
            f"This article applies to {_ctx_words(context)} for {audience}. People usually describe this as "
            + "; ".join(f"\"{m}\"" for m in mentioned) + ".",
            "## Before you start\n\n"
            f"You need your company account and, for {audience.lower()}, a working connection. "
            f"Most {topic['name']} problems are solved in a few minutes with the steps below.",
            "## Steps\n\n" + "\n".join(f"{n}. {s}" for n, s in enumerate(steps, 1)),
            "## Related problems\n\n" + "\n".join(f"- {x}" for x in neighbour_issue),
            "## Still not working?\n\n" + rng.choice(CLOSINGS),
        ])
        tags = list(dict.fromkeys(topic["tags"][: rng.randint(1, 3)] + [_ctx_words(context).lower()[:40],
                                                                          audience_word]))
        articles.append(Article(
            index=index, topic=topic["name"], category=topic["category"], title=title[:200], body=body,
            summary=f"{base_title} — steps for {audience}."[:500], tags=tags, key_terms=key_terms,
            paraphrases=paraphrases, context=context, audience_word=audience_word, related=neighbour_issue,
        ))
    return articles


# ---------------------------------------------------------------- queries

KEYBOARD_NEIGHBOURS = {
    "a": "sq", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj", "i": "uo", "j": "hk",
    "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o", "q": "w", "r": "et", "s": "ad", "t": "ry",
    "u": "yi", "v": "cb", "w": "qe", "x": "zc", "y": "tu", "z": "x",
}


def typo(word: str, rng: random.Random) -> str:
    """One character edit (drop, double, swap or neighbouring key), never on the first letter."""
    if len(word) < 4:
        return word
    for _ in range(10):
        pos = rng.randint(1, len(word) - 1)
        kind = rng.choice(["drop", "double", "swap", "key"])
        if kind == "drop":
            out = word[:pos] + word[pos + 1:]
        elif kind == "double":
            out = word[:pos] + word[pos] + word[pos:]
        elif kind == "swap" and pos < len(word) - 1:
            out = word[:pos] + word[pos + 1] + word[pos] + word[pos + 2:]
        elif kind == "key" and word[pos] in KEYBOARD_NEIGHBOURS:
            out = word[:pos] + rng.choice(KEYBOARD_NEIGHBOURS[word[pos]]) + word[pos + 1:]
        else:
            continue
        if out != word:
            return out
    return word


STOP = {"the", "a", "an", "of", "on", "in", "for", "to", "and", "or", "with", "from", "your"}


def _context_terms(article: Article) -> list[str]:
    words = re.findall(r"[\w:-]+", _ctx_words(article.context).lower())
    return [w for w in words if w not in STOP]


@dataclass
class Query:
    kind: str
    text: str
    target: int  # article index


def build_queries(articles: list[Article], sample: int, seed: int = 7) -> list[Query]:
    rng = random.Random(seed)
    queries: list[Query] = []
    for article in rng.sample(articles, k=min(sample, len(articles))):
        ctx = " ".join(_context_terms(article))
        aud = article.audience_word
        # (a) paraphrase: other words for the problem, reordered or as a question.
        phrase = rng.choice(article.paraphrases)
        form = rng.choice(["{p} {c} {a}", "{c} {p} {a}", "how do i fix {p} on {c} {a}", "{a} {c} {p}",
                           "why {p} {c} {a}?"])
        queries.append(Query("paraphrase", form.format(p=phrase, c=ctx, a=aud), article.index))
        # (b) typos: 1-2 edits in the key words.
        words = article.key_terms + ctx.split() + aud.split()
        candidates = [n for n, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
        for n in rng.sample(candidates, k=min(len(candidates), rng.choice([1, 2]))):
            words[n] = typo(words[n], rng)
        queries.append(Query("typo", " ".join(words), article.index))
        # (c) search-as-you-type: the key words typed so far, the last one unfinished.
        words = rng.choice([aud.split() + ctx.split() + article.key_terms,
                            article.key_terms + aud.split() + ctx.split()])
        if len(words[-1]) <= 3:  # finish on a word long enough to be cut short
            longest = max(range(len(words)), key=lambda n: len(words[n]))
            words.append(words.pop(longest))
        last = words[-1]
        cut = max(2, min(len(last) - 1, rng.randint(3, 5))) if len(last) > 3 else len(last)
        queries.append(Query("prefix", " ".join(words[:-1] + [last[:cut]]), article.index))
    return queries
